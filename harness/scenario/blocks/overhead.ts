import { Type } from '@sinclair/typebox';
import { Name, Strict } from '../schema-parts.ts';

/** Defaults of the `overhead:` block, in one place so the schema text, the setup and the docs agree. */
export const OVERHEAD_DEFAULTS = {
  concurrency: 1,
  rounds: 20,
  attemptsPerRound: 50,
  warmup: 20,
  bootstrap: 2000,
  seed: 1,
  decompose: true,
  authorizationUrl: '${fixture:auth}',
} as const;

/**
 * The `overhead:` block: what authorization adds to the upgrade, measured as interleaved rounds
 * against a baseline target that reaches the same backend without auth. Owned by harness/overhead/.
 */
export const OverheadSchema = Strict(
  {
    baseline: Type.Optional(
      Name(
        "Target reaching the same backend without auth: the gateway's unauthenticated route " +
          '(${fixture:gateway.baseline}) or the backend directly',
      ),
    ),
    auth: Type.Optional(Name('Target whose upgrades are authorized: the route whose overhead is measured')),
    pairs: Type.Optional(
      Type.Array(
        Strict(
          { baseline: Name('Baseline target of this pair'), auth: Name('Authorized target of this pair') },
          'One baseline/auth pair',
        ),
        {
          minItems: 1,
          description:
            'Several baseline/auth pairs (e.g. one per gateway), measured one after another with the same ' +
            'settings; instead of baseline and auth',
        },
      ),
    ),
    credential: Name(
      'Credential set sent on both sides; it must expect 200 with the auth service ok, since only upgrades have a ' +
        'handshake latency',
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description:
          `Closed model: attempts in flight at once, per ` +
          `side (default ${OVERHEAD_DEFAULTS.concurrency}; 1 measures the overhead of one upgrade without queueing)`,
      }),
    ),
    rate: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10000,
        description:
          'Open model: attempts per second started on a fixed schedule, instead of concurrency; latency counts ' +
          'from the scheduled start',
      }),
    ),
    rounds: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 1000,
        description:
          `Rounds per side, run alternately baseline, auth, baseline, auth, ` +
          `… (default ${OVERHEAD_DEFAULTS.rounds}); the bootstrap resamples rounds, so more rounds give a ` +
          `truer interval`,
      }),
    ),
    attemptsPerRound: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description: `Upgrade attempts per round and side (default ${OVERHEAD_DEFAULTS.attemptsPerRound})`,
      }),
    ),
    warmup: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100000,
        description: `Attempts per side before the first round, not counted (default ${OVERHEAD_DEFAULTS.warmup})`,
      }),
    ),
    bootstrap: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 100000,
        description: `Bootstrap resamples for the 95% confidence intervals (default ${OVERHEAD_DEFAULTS.bootstrap})`,
      }),
    ),
    seed: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4294967295,
        description:
          `Seed of the bootstrap's random numbers, so the same data gives the same ` +
          `interval (default ${OVERHEAD_DEFAULTS.seed})`,
      }),
    ),
    decompose: Type.Optional(
      Type.Boolean({
        description:
          'Also benchmark the authorization URL directly with autocannon (same credential, same concurrency) to ' +
          'split the overhead into auth-service latency and what the gateway adds (default true)',
      }),
    ),
    authorizationUrl: Type.Optional(
      Type.String({
        pattern: '^(https?://|\\$\\{fixture:)',
        description:
          'The authorization URL the gateway calls, benchmarked for the decomposition (default ${fixture:auth} ' +
          'when fixtures run)',
      }),
    ),
  },
  'Auth latency overhead: interleaved baseline/auth rounds, differences at p50/p90/p95/p99 with 95% bootstrap ' +
    'confidence intervals',
);
