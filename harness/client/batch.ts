import { encodeLatencies } from '../metrics/latency-recorder.ts';
import { type AttemptLoad, MEASURED_PERCENTILES, type MeasuredSide, type Percentiles } from '../model/measured.ts';
import type { Outcome } from '../model/outcome.ts';
import { percentileOfSorted, sortedCopy } from '../stats/percentile.ts';

/** What one timed attempt reports: its outcome, and for an upgrade when it completed. */
export interface TimedAttempt {
  outcome: Outcome;
  /** performance.now() when the 101 head was complete; undefined unless upgraded. */
  upgradedAt?: number;
  /** Server-Timing `auth;dur=` the gateway sent, in ms, when present. */
  authDurMs?: number;
}

/** One counted attempt: outcome, and latency from its scheduled start when it upgraded. */
export interface AttemptSample {
  outcome: Outcome;
  latencyMs?: number;
  authDurMs?: number;
}

/** Starts one attempt now; `index` is its position in the batch (for attempt ids). */
export type Attempt = (index: number) => Promise<TimedAttempt>;

/**
 * Run `count` attempts under the block's load model and time each from its scheduled start:
 * closed model, the moment a slot among `concurrency` freed; open model, its slot in a fixed
 * `rate` schedule. Counting from the schedule means a stall anywhere (gateway, harness, machine)
 * shows up as latency instead of silently delaying later attempts (coordinated omission).
 * Stops starting attempts when `signal` aborts; returns what finished.
 */
export function runBatch(
  attempt: Attempt,
  count: number,
  load: AttemptLoad,
  signal: AbortSignal,
): Promise<AttemptSample[]> {
  return load.model === 'concurrency'
    ? closedBatch(attempt, count, load.concurrency, signal)
    : openBatch(attempt, count, load.ratePerSec, signal);
}

function sample(a: TimedAttempt, scheduledAt: number): AttemptSample {
  return {
    outcome: a.outcome,
    latencyMs: a.upgradedAt === undefined ? undefined : a.upgradedAt - scheduledAt,
    authDurMs: a.authDurMs,
  };
}

async function closedBatch(
  attempt: Attempt,
  count: number,
  concurrency: number,
  signal: AbortSignal,
): Promise<AttemptSample[]> {
  const out: AttemptSample[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count && !signal.aborted) {
      const index = next++;
      const scheduledAt = performance.now();
      out.push(sample(await attempt(index), scheduledAt));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return out;
}

function openBatch(attempt: Attempt, count: number, ratePerSec: number, signal: AbortSignal): Promise<AttemptSample[]> {
  const out: AttemptSample[] = [];
  const intervalMs = 1000 / ratePerSec;
  const start = performance.now();
  let started = 0;
  let finished = 0;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (finished === started && (started === count || signal.aborted)) {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(out);
      }
    };
    signal.addEventListener('abort', done);
    // Start every attempt whose slot has come; a late timer starts several at once, each timed from its own slot.
    const tick = () => {
      const now = performance.now();
      while (started < count && !signal.aborted && start + started * intervalMs <= now) {
        const scheduledAt = start + started * intervalMs;
        attempt(started++).then((a) => {
          out.push(sample(a, scheduledAt));
          finished++;
          done();
        });
      }
      if (started < count && !signal.aborted)
        timer = setTimeout(tick, Math.max(0, start + started * intervalMs - performance.now()));
      else done();
    };
    tick();
  });
}

/** The latencies of the samples that upgraded. */
export function upgradeLatencies(samples: readonly AttemptSample[]): number[] {
  const out: number[] = [];
  for (const s of samples) if (s.latencyMs !== undefined) out.push(s.latencyMs);
  return out;
}

/** One target's side of an interleaved measurement, from its samples round by round. */
export function measuredSide(target: string, url: string, path: string, perRound: AttemptSample[][]): MeasuredSide {
  const all = perRound.flat();
  const values = upgradeLatencies(all);
  const outcomes: Record<string, number> = {};
  for (const s of all) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
  const origin = new URL(url);
  return {
    target,
    url: `${origin.protocol}//${origin.host}${path.split('?')[0]}`,
    attempts: all.length,
    upgraded: values.length,
    outcomes,
    percentiles: summarizeLatencies(values),
    histogram: encodeLatencies(values),
    roundMedians: perRound.map((r) => round3(percentileOfSorted(sortedCopy(upgradeLatencies(r)), 50))),
  };
}

/** Percentiles, min, max and mean of `values` (ms); NaN (null in JSON) when there are none. */
export function summarizeLatencies(
  values: readonly number[],
): Percentiles & { min: number; max: number; mean: number } {
  const sorted = sortedCopy(values);
  const pct = Object.fromEntries(
    MEASURED_PERCENTILES.map((p) => [`p${p}`, round3(percentileOfSorted(sorted, p))]),
  ) as Percentiles;
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    ...pct,
    min: round3(sorted[0] ?? Number.NaN),
    max: round3(sorted[sorted.length - 1] ?? Number.NaN),
    mean: round3(mean),
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
