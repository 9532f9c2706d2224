import { type ChildProcess, fork } from 'node:child_process';
import { LatencyRecorder } from '../metrics/latency-recorder.ts';
import type { LoadResult, LoadSecond } from '../model/load.ts';
import type { LoadPlan } from '../plan/load.ts';
import type { SpreadPlan } from '../plan/spread.ts';
import { runLoad } from './engine.ts';
import { mergeResults, mergeSeries } from './merge.ts';
import { workerScript } from './worker-build.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

export interface DistributedOptions {
  signal?: AbortSignal;
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
 * Run the load over `spread.workers` processes (in this process when it is one): each gets every
 * `workers`-th scheduled attempt and held connection, its share of maxInFlight and its own source
 * addresses, so each stays inside its own open-file limit. Results come back with encoded
 * histograms and are merged exactly. A worker that dies or reports a dead target stops the others;
 * what was measured is kept and marked partial.
 */
export async function runDistributed(
  plan: LoadPlan,
  spread: SpreadPlan,
  opts: DistributedOptions = {},
): Promise<LoadResult> {
  const n = spread.workers;
  if (n === 1) {
    return runLoad(
      { ...plan, sourceAddresses: spread.sourceAddresses[0] ?? [] },
      {
        signal: opts.signal,
        onSecond: (s, interval) => opts.onSecond?.(s, interval.count > 0 ? interval.summary()?.p95 : undefined),
      },
    );
  }
  const script = await workerScript();
  const children: ChildProcess[] = [];
  const results: Array<LoadResult | undefined> = new Array(n);
  const failures: string[] = [];
  // Seconds reported so far, by index, until every worker has reported that second.
  const pending = new Map<number, { parts: LoadSecond[]; hist: LatencyRecorder }>();
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
    const startAtEpochMs = Date.now() + START_DELAY_MS;
    children.forEach((child, index) => {
      const share = { index, of: n };
      const maxInFlight = Math.max(1, Math.floor(plan.maxInFlight / n) + (index < plan.maxInFlight % n ? 1 : 0));
      child.send({
        type: 'start',
        plan: { ...plan, maxInFlight, sourceAddresses: spread.sourceAddresses[index] ?? [] },
        share,
        startAtEpochMs,
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
