import { parseDuration } from '../scenario/duration.ts';

export interface Stage {
  fromRate: number;
  toRate: number;
  durationMs: number;
}

/** Which part of a schedule one worker process runs: arrivals k with k % of === index. */
export interface Share {
  index: number;
  of: number;
}

const WHOLE: Share = { index: 0, of: 1 };

/** Stages from the `load.arrivalRate` block: a constant rate is a ramp from and to the same rate. */
export function stagesOf(
  block: ReadonlyArray<{ rate?: number; from?: number; to?: number; duration: string }>,
): Stage[] {
  return block.map((s) => ({
    fromRate: s.rate ?? s.from ?? 0,
    toRate: s.rate ?? s.to ?? 0,
    durationMs: parseDuration(s.duration),
  }));
}

/** How many attempts the stages schedule in all (the area under the rate curve), or in one share. */
export function scheduledCount(stages: readonly Stage[], share: Share = WHOLE): number {
  return shareOf(
    stages.reduce((n, s) => n + Math.floor(((s.fromRate + s.toRate) / 2) * (s.durationMs / 1000)), 0),
    share,
  );
}

/** How many of n items (taken every `of`-th from `index`) fall to one share. */
export function shareOf(n: number, share: Share): number {
  return Math.floor(n / share.of) + (share.index < n % share.of ? 1 : 0);
}

/**
 * The scheduled start times (ms from the run's start) of every attempt, computed lazily: the k-th
 * arrival of a linear ramp solves N(t) = a t + (b - a) t^2 / (2D) = k. Latency is measured from these
 * times, not from when the attempt could actually be sent (no coordinated omission). Workers
 * each launch every `of`-th arrival, so together they run exactly the one schedule, interleaved.
 */
export function* arrivals(stages: readonly Stage[]): Generator<number> {
  let offset = 0;
  for (const s of stages) {
    const d = s.durationMs / 1000;
    const a = s.fromRate;
    const slope = (s.toRate - s.fromRate) / d;
    const n = Math.floor(((s.fromRate + s.toRate) / 2) * d);
    for (let k = 0; k < n; k++) {
      const t = slope === 0 ? k / a : (-a + Math.sqrt(a * a + 2 * slope * k)) / slope;
      yield offset + t * 1000;
    }
    offset += s.durationMs;
  }
}
