import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Attempt, runBatch } from '../../harness/client/batch.ts';

/** An attempt that upgrades `ms` after it starts. */
const upgradesAfter =
  (ms: number): Attempt =>
  () =>
    new Promise((resolve) => setTimeout(() => resolve({ outcome: 'upgraded', upgradedAt: performance.now() }), ms));

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('open model: attempts that wait behind a stall are charged for it (no coordinated omission)', async () => {
  const never = new AbortController().signal;
  // 200/s: a slot every 5 ms. The event loop is blocked for 60 ms right after the first start.
  const pending = runBatch(upgradesAfter(1), 10, { model: 'rate', ratePerSec: 200 }, never);
  busyWait(60);
  const samples = await pending;
  assert.equal(samples.length, 10);
  const latencies = samples.map((s) => s.latencyMs!).sort((a, b) => b - a);
  // The attempt due at 5 ms started at ~60 ms: ~55 ms from its scheduled start, not ~1 ms.
  assert.ok(latencies[0]! >= 50, `latencies ${latencies.map((l) => l.toFixed(1)).join(' ')}`);
  // Later slots waited less: the charge follows the schedule, not a flat penalty.
  assert.ok(latencies[8]! < latencies[0]! - 30, `latencies ${latencies.map((l) => l.toFixed(1)).join(' ')}`);
});

test('closed model: each attempt is timed from the moment its slot freed, with `concurrency` in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  // Each attempt says it upgraded 5 ms after it started (on its own clock, not a timer's), then takes
  // 40 ms to finish, so the three lanes run four waves 40 ms apart. Timed from the moment its slot freed,
  // every attempt shows 5 ms (plus the microseconds between taking the slot and starting); timed from the
  // batch start instead, the later waves would show ~45, ~85 and ~125 ms. The 20 ms of room above 5 ms
  // is for a busy machine stalling between the two, far below the 40 ms a wave would add.
  const attempt: Attempt = async () => {
    const startedAt = performance.now();
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 40));
    inFlight--;
    return { outcome: 'upgraded', upgradedAt: startedAt + 5 };
  };
  const samples = await runBatch(attempt, 12, { model: 'concurrency', concurrency: 3 }, new AbortController().signal);
  assert.equal(samples.length, 12);
  assert.equal(peak, 3);
  const latencies = samples.map((s) => s.latencyMs!.toFixed(2)).join(' ');
  for (const s of samples) assert.ok(s.latencyMs! >= 5 && s.latencyMs! < 25, `latencies ${latencies}`);
});

test('an abort stops starting attempts and returns those that finished', async () => {
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 30);
  const samples = await runBatch(upgradesAfter(1), 10_000, { model: 'rate', ratePerSec: 100 }, abort.signal);
  assert.ok(samples.length >= 1 && samples.length < 100, `${samples.length} of 10000 attempts`);
  const closed = await runBatch(
    upgradesAfter(1),
    10_000,
    { model: 'concurrency', concurrency: 2 },
    AbortSignal.abort(),
  );
  assert.equal(closed.length, 0);
});

test('an attempt that did not upgrade has an outcome and no latency', async () => {
  const [s] = await runBatch(
    async () => ({ outcome: 'http_401' }),
    1,
    { model: 'concurrency', concurrency: 1 },
    new AbortController().signal,
  );
  assert.deepEqual(s, { outcome: 'http_401', latencyMs: undefined, authDurMs: undefined });
});
