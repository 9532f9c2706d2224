import type { CapacityResult, CapacityStep } from '../model/capacity.ts';
import type { LoadResult, Saturation } from '../model/load.ts';

/** The bounds a capacity step must keep. */
export interface StepBounds {
  p95Ms: number;
  errorShare: number;
}

/** How the probe steps: up by `factor` to `maxRate`, then `refine` steps between the last good and first bad rate. */
export interface Stepping {
  fromRate: number;
  factor: number;
  maxRate: number;
  refine: number;
}

/** Refining stops once the last good and first bad rate are this close (ratio): closer is noise. */
const CLOSE_ENOUGH = 1.1;

/** One step's load result judged against the bounds; a saturated generator makes the step say nothing of the target. */
export function judgeStep(
  rate: number,
  refining: boolean,
  r: LoadResult & { saturation: Saturation },
  bounds: StepBounds,
): CapacityStep {
  const scheduled = Math.max(r.scheduled, r.attempts + r.skippedMaxInFlight);
  const notAsExpected = r.unexpected + r.skippedMaxInFlight;
  const errorShare = scheduled > 0 ? notAsExpected / scheduled : 0;
  const g = r.generator;
  const step: CapacityStep = {
    rate,
    refining,
    durationMs: r.durationMs,
    scheduled,
    attempts: r.attempts,
    upgrades: r.upgrades,
    upgradesPerSecond: r.durationMs > 0 ? Math.round((r.upgrades / r.durationMs) * 1000 * 10) / 10 : 0,
    ...(r.handshake ? { handshake: r.handshake } : {}),
    errorShare,
    saturation: r.saturation,
    ...(g ? { generator: { lateP99: g.late?.p99 ?? 0, loopP99: g.loopDelay.p99, cpu: g.cpu.busiestShare } } : {}),
    passed: false,
  };
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
  if (r.saturation.side === 'generator' || r.saturation.side === 'both') {
    step.broke = 'generator';
    step.why = `the generator could not offer ${rate}/s (${r.saturation.reasons.join('; ')})`;
  } else if (errorShare > bounds.errorShare) {
    step.broke = 'errors';
    const outcomes = Object.entries(r.outcomes)
      .filter(([o]) => o !== 'upgraded')
      .map(([o, n]) => `${o} ${n}`)
      .join(', ');
    const skipped = r.skippedMaxInFlight ? `, ${r.skippedMaxInFlight} skipped at maxInFlight` : '';
    step.why =
      `${notAsExpected} of ${scheduled} attempts (${pct(errorShare)}) were not answered as expected, above ` +
      `${pct(bounds.errorShare)} (${outcomes || 'none'}${skipped})`;
  } else if (!r.handshake || r.handshake.p95 > bounds.p95Ms) {
    step.broke = 'latency';
    step.why = r.handshake
      ? `time to 101 p95 was ${r.handshake.p95} ms, above ${bounds.p95Ms} ms`
      : 'no attempt upgraded, so there is no time to 101';
  } else step.passed = true;
  return step;
}

/** Where the probe stands after some steps, and the next rate to try (undefined: stop, with why). */
export function nextStep(
  steps: readonly CapacityStep[],
  s: Stepping,
): { rate: number; refining: boolean } | { stop: CapacityResult['stoppedBy'] } {
  if (steps.length === 0) return { rate: s.fromRate, refining: false };
  const last = steps[steps.length - 1]!;
  if (last.broke === 'generator') return { stop: 'generator' };
  const good = lastGood(steps);
  const bad = firstBad(steps);
  if (bad === undefined) {
    if (last.rate >= s.maxRate) return { stop: 'max_rate' };
    return { rate: roundRate(Math.min(last.rate * s.factor, s.maxRate)), refining: false };
  }
  const refined = steps.filter((x) => x.refining).length;
  const stop = bad.broke === 'errors' ? 'errors' : 'latency';
  if (good === undefined || refined >= s.refine || bad.rate / good <= CLOSE_ENOUGH) return { stop };
  const rate = roundRate(Math.sqrt(good * bad.rate));
  if (rate <= good || rate >= bad.rate) return { stop };
  return { rate, refining: true };
}

/** The highest rate that passed below every rate that broke a bound. */
export function lastGood(steps: readonly CapacityStep[]): number | undefined {
  const bad = firstBad(steps)?.rate ?? Number.POSITIVE_INFINITY;
  const good = steps.filter((x) => x.passed && x.rate < bad).map((x) => x.rate);
  return good.length > 0 ? Math.max(...good) : undefined;
}

/** The lowest rate at which the target broke a bound (a generator failure says nothing of the target). */
export function firstBad(steps: readonly CapacityStep[]): CapacityStep | undefined {
  let out: CapacityStep | undefined;
  for (const x of steps) if (!x.passed && x.broke !== 'generator' && (!out || x.rate < out.rate)) out = x;
  return out;
}

/** Rates a person reads: whole numbers, two significant digits above 100. */
function roundRate(rate: number): number {
  if (rate < 100) return Math.max(1, Math.round(rate));
  const magnitude = 10 ** (Math.floor(Math.log10(rate)) - 1);
  return Math.round(rate / magnitude) * magnitude;
}

/** The sentence a person reads first. */
export function capacityVerdict(
  targets: readonly string[],
  steps: readonly CapacityStep[],
  stoppedBy: CapacityResult['stoppedBy'],
  bounds: StepBounds,
): string {
  const who = targets.join(', ');
  const good = lastGood(steps);
  const bad = firstBad(steps);
  const kept = `time to 101 p95 <= ${bounds.p95Ms} ms, errors <= ${(bounds.errorShare * 100).toFixed(1)}%`;
  const genStep = steps.find((x) => x.broke === 'generator');
  switch (stoppedBy) {
    case 'latency':
    case 'errors':
      return good === undefined
        ? `${who} broke a bound at the first step (${bad!.rate}/s): ${bad!.why}; start lower (--from)`
        : `${who} sustains ${good} attempts/s (${kept}); at ${bad!.rate}/s ${bad!.why}. The generator kept up, so ` +
            "this is the target's limit";
    case 'generator':
      return good === undefined
        ? `the generator could not offer even ${genStep?.rate}/s on this machine: nothing is known of ${who}`
        : `${who} kept every bound up to ${good} attempts/s, and the generator ran out at ${genStep?.rate}/s before ` +
            `the target did: its limit is above ${good}/s (offer more from more machines or cores)`;
    case 'max_rate':
      return `${who} kept every bound up to the highest rate tried, ${good}/s (--max)`;
    case 'interrupted':
      return good === undefined
        ? 'interrupted before any step held'
        : `interrupted: ${who} held ${good} attempts/s so far`;
  }
}
