import { Type } from '@sinclair/typebox';
import { Name, Strict } from '../schema-parts.ts';

/** Defaults of the `compare:` block, in one place for the schema text, the plan and the docs. */
export const COMPARE_DEFAULTS = {
  concurrency: 1,
  rounds: 10,
  attemptsPerRound: 50,
  warmup: 20,
  percentiles: [50, 90, 95, 99],
  confidence: 0.95,
  bootstrap: 2000,
  seed: 1,
} as const;

/**
 * The `compare:` block: gateways (targets) compared as a measured A/B. Their upgrades are sent in
 * interleaved rounds (A B C, B C A, …) so that whatever the machine does hits every target alike,
 * and each target's handshake latency is compared with the reference's, per percentile, with a
 * bootstrap interval and a verdict: faster, slower, or no detectable difference.
 */
export const CompareSchema = Strict(
  {
    targets: Type.Optional(
      Type.Array(Name('A target to compare'), {
        minItems: 2,
        description: 'Targets to compare (default: every gateway target)',
      }),
    ),
    reference: Type.Optional(Name('The target the others are compared with (default: the first of targets)')),
    credential: Name('Credential set sent to every target; it must expect 200 with the auth service ok'),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: `Closed model: attempts in flight at once per target (default ${COMPARE_DEFAULTS.concurrency})`,
      }),
    ),
    rate: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10000,
        description: 'Open model: attempts per second on a fixed schedule, instead of concurrency',
      }),
    ),
    rounds: Type.Optional(
      Type.Integer({
        minimum: 3,
        maximum: 1000,
        description: `Rounds, each running every target once in a rotated order (default ${COMPARE_DEFAULTS.rounds})`,
      }),
    ),
    attemptsPerRound: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description: `Upgrade attempts per target and round (default ${COMPARE_DEFAULTS.attemptsPerRound})`,
      }),
    ),
    warmup: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100000,
        description: `Uncounted attempts per target first (default ${COMPARE_DEFAULTS.warmup})`,
      }),
    ),
    percentiles: Type.Optional(
      Type.Array(Type.Union([Type.Literal(50), Type.Literal(90), Type.Literal(95), Type.Literal(99)]), {
        minItems: 1,
        description: 'Percentiles compared (default 50, 90, 95, 99); each needs enough samples (p99: 1,000 per target)',
      }),
    ),
    confidence: Type.Optional(
      Type.Number({
        minimum: 0.5,
        maximum: 0.999,
        description:
          'Family-wise confidence (default 0.95): the chance that no verdict of the run is wrong when ' +
          'nothing differs, ' +
          'split over every comparison made',
      }),
    ),
    bootstrap: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 100000, description: 'Bootstrap resamples (default 2000)' }),
    ),
    seed: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Seed of the bootstrap (default 1)' }),
    ),
  },
  'A measured comparison of gateways: interleaved rounds, differences with intervals and verdicts',
);
