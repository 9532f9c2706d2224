/**
 * A load worker process: runs its share of the plan with the same engine and sends its result
 * (histograms encoded, so the parent merges them exactly) back over IPC. Started by workers.ts.
 */
import type { Share } from '../plan/arrival-schedule.ts';
import type { LoadPlan } from '../plan/load.ts';
import { runLoad } from './engine.ts';
import { raisePriority } from './generator-health.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

/** Resolves once the message is handed to the channel: a large result must be out before we disconnect. */
const send = (m: WorkerMessage) =>
  new Promise<void>((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));
// Ctrl-C reaches the whole process group: the parent decides, and tells us to stop.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => process.exit(143));
// Orphaned (the parent died): nothing left to report to.
process.on('disconnect', () => process.exit(0));

// Ahead of the target's processes on this machine, so its timers fire on schedule (GENERATOR_NICE).
raisePriority();

const abort = new AbortController();
process.on('message', (m: ParentMessage) => {
  if (m.type === 'stop') abort.abort(m.reason);
  else void run(m.plan, m.share, m.startAtEpochMs);
});

async function run(plan: LoadPlan, share: Share, startAtEpochMs: number): Promise<void> {
  try {
    const result = await runLoad(plan, {
      share,
      signal: abort.signal,
      startAt: performance.now() + (startAtEpochMs - Date.now()),
      onSecond: (second, interval) =>
        void send({ type: 'second', second, histogram: interval.count > 0 ? interval.encoded() : undefined }),
    });
    await send({ type: 'result', result });
  } catch (err) {
    await send({ type: 'failed', message: (err as Error).stack ?? String(err) });
  }
  process.disconnect?.();
}

void send({ type: 'ready' });
