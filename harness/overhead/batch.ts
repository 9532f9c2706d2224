import type { Outcome } from '../model/outcome.ts';
import type { OverheadSetup } from '../plan/overhead.ts';

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
  load: OverheadSetup['load'],
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
