import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import type { LoadResult } from '../../harness/model/load.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { runReportHtml } from '../../harness/report/html/run-report.ts';

test('the HTML report of a run with 1M attempts stays under 2 MB: histograms, not samples', () => {
  const recorders = Array.from({ length: 10 }, () => new LatencyRecorder());
  const all = new LatencyRecorder();
  // 1,000,000 attempts over 10 credential sets, latencies spread over four decades like a real run.
  let seed = 1;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < 1_000_000; i++) {
    const ms = 0.3 * Math.exp(rnd() * Math.log(10_000));
    recorders[i % 10]!.record(ms);
    all.record(ms);
  }
  const load: LoadResult = {
    model: 'arrival-rate',
    stages: [{ fromRate: 1000, toRate: 1000, durationMs: 1_000_000 }],
    scheduled: 1_000_000,
    attempts: 1_000_000,
    skippedMaxInFlight: 0,
    upgrades: 900_000,
    unexpected: 0,
    outcomes: { upgraded: 900_000, http_401: 100_000 },
    handshake: all.summary(),
    sets: recorders.map((r, i) => ({
      target: `gateway-${i % 2}`,
      credential: `set-${i}`,
      expected: ['upgraded'],
      attempts: 100_000,
      outcomes: { upgraded: 100_000 },
      unexpected: 0,
      response: r.summary(),
    })),
    // A 1000 s run: one point per second.
    series: Array.from({ length: 1000 }, (_, t) => ({ t, attempts: 1000, upgrades: 900, errors: 0, open: 12 })),
    durationMs: 1_000_000,
    partial: false,
    workers: 1,
    sourceAddresses: [],
  };
  const summary = {
    schema: 'wsgate.summary',
    schemaVersion: 3,
    partial: false,
    tool: { name: 'wsgate', version: 'test' },
    environment: {
      node: 'v20',
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      cpuModel: 'test',
      totalMemoryBytes: 1,
      hostname: 'h',
    },
    scenario: { name: 'big', file: 'big.yaml', hash: 'f'.repeat(64) },
    run: {
      id: 'big',
      command: 'run',
      startedAt: '2026-01-01T00:00:00Z',
      endedAt: '2026-01-01T00:16:40Z',
      durationMs: 1_000_000,
    },
    targets: [],
    credentials: [],
    load,
    metrics: {},
    thresholds: [],
    verdict: { passed: true, exitCode: 0, failures: [] },
  } as Summary;
  const html = runReportHtml(summary);
  const bytes = Buffer.byteLength(html);
  assert.ok(bytes < 2 * 1024 * 1024, `${bytes} bytes`);
  assert.match(html, /Load: 1000000 attempts/);
  for (const r of [...recorders, all]) r.destroy();
});
