import { type ChildProcess, fork } from 'node:child_process';
import { LatencyRecorder } from '../metrics/latency-recorder.ts';
import type { LoadResult, LoadSecond } from '../model/load.ts';
import type { LoadPlan } from '../plan/load.ts';
import { workerShare } from '../plan/segment.ts';
import type { SpreadPlan } from '../plan/spread.ts';
import { runLoad } from './engine.ts';
import { mergeResults, mergeSeries } from './merge.ts';
import { workerScript } from './worker-build.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

export interface DistributedOptions {
  signal?: AbortSignal;
  /**
   * When second 0 of the schedule begins (epoch ms, this host's clock): `--start-at`, shared by the
   * runners of a split scenario. Default: as soon as the workers are ready.
   */
  startAtEpochMs?: number;
  /** Once a second, every worker's second added up, with that second's p95 time to 101 (ms). */
  onSecond?: (s: LoadSecond, p95: number | undefined) => void;
}

/**
 * Node flags for load processes. A worker's garbage is short-lived (requests, frames, parse
 * results), so a 4 MB young generation is enough and keeps RSS near what the held sockets need
 * (bench:engine: about 2.6 KB per held connection instead of 4.3 KB at Node's default).
 */
export const LOAD_PROCESS_FLAGS = ['--max-semi-space-size=4'];
/** Module loading in a fresh worker takes a few hundred ms; starting waits for all to be ready. */
const READY_TIMEOUT_MS = 30_000;
const START_DELAY_MS = 100;
/**
 * How late past an agreed start (`--start-at`) a runner may still begin: the attempts already due
 * start late and show as lateness. Later than this, its seconds would no longer line up with the
 * other runners' and the run is refused.
 */
export const LATE_START_LIMIT_MS = 1000;
/** Workers get their start this long before the agreed instant; they wait the rest on their own. */
const START_LEAD_MS = 200;

/** A start that cannot be kept: the run could not be carried out as asked. */
export class LateStartError extends Error {}

function checkStart(startAtEpochMs: number | undefined): void {
  if (startAtEpochMs === undefined) return;
  const late = Date.now() - startAtEpochMs;
  if (late > LATE_START_LIMIT_MS)
    throw new LateStartError(
      `the agreed start (--start-at ${new Date(startAtEpochMs).toISOString()}) passed ${(late / 1000).toFixed(1)} s ` +
        `before this runner's load could begin: give the runners more time before the start`,
    );
}

/** Sleep until `epochMs` (bounded by it), or until the signal aborts. */
function sleepUntil(epochMs: number, signal?: AbortSignal): Promise<void> {
  const ms = epochMs - Date.now();
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Run the load over `spread.workers` processes (in this process when it is one): each gets every
 * `workers`-th scheduled attempt and held connection of the plan's part (the whole schedule, or a
 * segment's), its share of maxInFlight and its own source addresses, so each stays inside its own
 * open-file limit. Results come back with encoded histograms and are merged exactly. A worker that
 * dies or reports a dead target stops the others; what was measured is kept and marked partial.
 */
export async function runDistributed(
  plan: LoadPlan,
  spread: SpreadPlan,
  opts: DistributedOptions = {},
): Promise<LoadResult> {
  const n = spread.workers;
  const part = plan.part ?? { index: 0, of: 1 };
  checkStart(opts.startAtEpochMs);
  if (n === 1) {
    if (opts.startAtEpochMs !== undefined) await sleepUntil(opts.startAtEpochMs - START_LEAD_MS, opts.signal);
    checkStart(opts.startAtEpochMs);
    const startAtEpochMs = opts.startAtEpochMs ?? Date.now();
    const result = await runLoad(
      { ...plan, sourceAddresses: spread.sourceAddresses[0] ?? [] },
      {
        signal: opts.signal,
        share: part,
        startAt: performance.now() + (startAtEpochMs - Date.now()),
        onSecond: (s, interval) => opts.onSecond?.(s, interval.count > 0 ? interval.summary()?.p95 : undefined),
      },
    );
    return { ...result, startedAt: new Date(startAtEpochMs).toISOString() };
  }
  const script = await workerScript();
  const children: ChildProcess[] = [];
  const results: Array<LoadResult | undefined> = new Array(n);
  const failures: string[] = [];
  // Seconds reported so far, by index, until every worker has reported that second.
  const pending = new Map<number, { parts: LoadSecond[]; hist: LatencyRecorder }>();
  let startAtEpochMs: number | undefined;
  const stopAll = (reason: string) => {
    for (const c of children) if (c.connected) c.send({ type: 'stop', reason } satisfies ParentMessage);
  };
  const onAbort = () => stopAll(String(opts.signal?.reason ?? 'interrupted'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const ready = Array.from({ length: n }, (_, index) => {
      const child = fork(script, [], {
        execArgv: [...LOAD_PROCESS_FLAGS],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      // A stop sent as the worker exits fails with EPIPE: nothing left to stop.
      child.on('error', () => undefined);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const isReady = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`load worker ${index + 1} did not start within ${READY_TIMEOUT_MS / 1000} s`)),
          READY_TIMEOUT_MS,
        );
        child.once('exit', (code) =>
          reject(new Error(`load worker ${index + 1} exited with code ${code} before starting`)),
        );
        child.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') {
            clearTimeout(timer);
            resolve();
          } else if (m.type === 'second') collectSecond(m);
          else if (m.type === 'result') {
            results[index] = m.result;
            if (m.result.stoppedBecause && !opts.signal?.aborted)
              stopAll(`worker ${index + 1}: ${m.result.stoppedBecause}`);
          } else if (m.type === 'failed') {
            failures.push(`load worker ${index + 1} failed: ${m.message}`);
            stopAll('another worker failed');
          }
        });
      });
      return { isReady, exited };
    });
    await Promise.all(ready.map((r) => r.isReady));
    if (opts.startAtEpochMs !== undefined) await sleepUntil(opts.startAtEpochMs - START_LEAD_MS, opts.signal);
    checkStart(opts.startAtEpochMs);
    startAtEpochMs = opts.startAtEpochMs ?? Date.now() + START_DELAY_MS;
    const start = startAtEpochMs;
    children.forEach((child, index) => {
      const share = workerShare(part, index, n);
      const maxInFlight = Math.max(1, Math.floor(plan.maxInFlight / n) + (index < plan.maxInFlight % n ? 1 : 0));
      child.send({
        type: 'start',
        plan: { ...plan, maxInFlight, sourceAddresses: spread.sourceAddresses[index] ?? [] },
        share,
        startAtEpochMs: start,
      } satisfies ParentMessage);
    });
    await Promise.all(ready.map((r) => r.exited));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    for (const { hist } of pending.values()) hist.destroy();
  }
  const got = results.filter((r): r is LoadResult => r !== undefined);
  children.forEach((c, i) => {
    if (!results[i] && failures.length === 0)
      failures.push(`load worker ${i + 1} exited (code ${c.exitCode ?? c.signalCode}) without a result`);
  });
  if (got.length === 0) throw new Error(failures.join('; ') || 'no load worker returned a result');
  const merged = mergeResults(got, { traceFirst: plan.trace ?? 0 });
  if (startAtEpochMs !== undefined) merged.startedAt = new Date(startAtEpochMs).toISOString();
  if (failures.length > 0) {
    merged.partial = true;
    merged.stoppedBecause = [merged.stoppedBecause, ...failures].filter(Boolean).join('; ');
  }
  return merged;

  function collectSecond(m: { second: LoadSecond; histogram?: string }) {
    const entry = pending.get(m.second.t) ?? { parts: [], hist: new LatencyRecorder() };
    pending.set(m.second.t, entry);
    entry.parts.push(m.second);
    if (m.histogram) entry.hist.addEncoded(m.histogram);
    if (entry.parts.length < n) return;
    pending.delete(m.second.t);
    opts.onSecond?.(mergeSeries([entry.parts])[0]!, entry.hist.count > 0 ? entry.hist.summary()?.p95 : undefined);
    entry.hist.destroy();
  }
}
