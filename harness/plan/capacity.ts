import { parseDuration } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import type { CredentialInfo, PlannedCredential } from './credentials.ts';
import { type LoadPlan, planLoad } from './load.ts';
import type { Problems } from './problems.ts';
import type { HostLimits, SpreadPlan } from './spread.ts';
import type { PlannedTarget, TargetInfo } from './targets.ts';

/** `wsgate capacity`'s options given on the command line; each wins over the `capacity:` block. */
export interface CapacityOverrides {
  from?: number;
  factor?: number;
  max?: number;
  stepMs?: number;
  settleMs?: number;
  p95Ms?: number;
  errorShare?: number;
  refine?: number;
  /** Probe this gateway target alone instead of the load block's targets. */
  target?: string;
}

/** The capacity probe resolved: how the rate steps, the bounds a step must keep, and the load each step runs. */
export interface CapacityProbePlan<T extends TargetInfo = PlannedTarget, C extends CredentialInfo = PlannedCredential> {
  fromRate: number;
  factor: number;
  maxRate: number;
  stepMs: number;
  settleMs: number;
  p95Ms: number;
  errorShare: number;
  refine: number;
  /** One step's load at `fromRate`; each step sets its own stage. */
  load: LoadPlan<T, C>;
  spread: SpreadPlan;
}

export const CAPACITY_DEFAULTS = {
  from: 50,
  factor: 1.5,
  max: 20000,
  stepMs: 5000,
  settleMs: 2000,
  p95Ms: 250,
  errorShare: 0.01,
  refine: 2,
} as const;

/**
 * The capacity probe for `scenario`: the `capacity:` block with the command line's overrides, and
 * the load each step runs, taken from the `load:` block (targets, mix, workers, source addresses,
 * maxInFlight) without its stages and held connections. Problems are added; undefined when any.
 */
export function planCapacityProbe<T extends TargetInfo, C extends CredentialInfo>(
  scenario: Scenario,
  targets: readonly T[],
  credentials: readonly C[],
  problems: Problems,
  overrides: CapacityOverrides = {},
  limits?: HostLimits,
): CapacityProbePlan<T, C> | undefined {
  const before = problems.list.length;
  const block = scenario.doc.capacity ?? {};
  const d = CAPACITY_DEFAULTS;
  const fromRate = overrides.from ?? block.from ?? d.from;
  const maxRate = overrides.max ?? block.max ?? d.max;
  if (fromRate > maxRate) {
    const where = overrides.from !== undefined || overrides.max !== undefined ? ' (--from, --max)' : '';
    problems.add(['capacity'], `the first step (${fromRate}/s) is above the highest rate tried (${maxRate}/s)${where}`);
  }
  const gateways = targets.filter((t) => !t.baseline);
  if (overrides.target !== undefined && !gateways.some((t) => t.name === overrides.target)) {
    problems.add(
      [],
      `--target: no gateway target is named "${overrides.target}" (known: ${gateways.map((t) => t.name).join(', ')})`,
    );
  }
  const { arrivalRate: _stages, connections: _held, ...rest } = scenario.doc.load ?? {};
  const probe: Scenario = {
    ...scenario,
    doc: {
      ...scenario.doc,
      load: {
        ...rest,
        arrivalRate: [{ rate: fromRate, duration: '1s' }],
        ...(overrides.target !== undefined ? { targets: [overrides.target] } : {}),
      },
    },
  };
  const planned = planLoad(probe, targets, credentials, problems, limits);
  if (!planned || problems.list.length > before) return undefined;
  const errors =
    overrides.errorShare ?? (block.errors !== undefined ? Number(block.errors.slice(0, -1)) / 100 : d.errorShare);
  return {
    fromRate,
    factor: overrides.factor ?? block.factor ?? d.factor,
    maxRate,
    stepMs: overrides.stepMs ?? (block.step !== undefined ? parseDuration(block.step) : d.stepMs),
    settleMs: overrides.settleMs ?? (block.settle !== undefined ? parseDuration(block.settle) : d.settleMs),
    p95Ms: overrides.p95Ms ?? (block.p95 !== undefined ? parseDuration(block.p95) : d.p95Ms),
    errorShare: errors,
    refine: overrides.refine ?? block.refine ?? d.refine,
    load: { ...planned.load, onSaturation: 'warn' },
    spread: planned.spread,
  };
}
