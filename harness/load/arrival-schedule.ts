import { parseDuration } from '../scenario/duration.ts';

export interface Stage {
  fromRate: number;
  toRate: number;
  durationMs: number;
}

/** Stages from the `load.arrivalRate` block: a constant rate is a ramp from and to the same rate. */
export function stagesOf(block: ReadonlyArray<{ rate?: number; from?: number; to?: number; duration: string }>): Stage[] {
  return block.map((s) => ({ fromRate: s.rate ?? s.from ?? 0, toRate: s.rate ?? s.to ?? 0, durationMs: parseDuration(s.duration) }));
}

/** How many attempts the stages schedule in all (the area under the rate curve). */
export function scheduledCount(stages: readonly Stage[]): number {
  return stages.reduce((n, s) => n + Math.floor(((s.fromRate + s.toRate) / 2) * (s.durationMs / 1000)), 0);
}

/**
 * The scheduled start times (ms from the run's start) of every attempt, computed lazily: the k-th
 * arrival of a linear ramp solves N(t) = a t + (b - a) t^2 / (2D) = k. Latency is measured from these
 * times, not from when the attempt could actually be sent (no coordinated omission).
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
