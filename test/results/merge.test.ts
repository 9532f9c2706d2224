import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import type { LoadResult } from '../../harness/model/load.ts';
import type { Summary } from '../../harness/model/summary.ts';
import type { ThresholdResult } from '../../harness/model/thresholds.ts';
import { JUDGED_ON_MERGE } from '../../harness/results/gate.ts';
import { MergeInputError, mergeParts, type Part } from '../../harness/results/merge-parts.ts';

const START = Date.parse('2026-05-01T10:00:00.000Z');
const env = { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'x', totalMemoryBytes: 1, hostname: 'h' };

/** A segment run's summary whose load recorded these latencies (ms), every attempt upgraded. */
function part(
  index: number,
  of: number,
  latencies: number[],
  patch: { hash?: string; startOffsetMs?: number; fatal?: string[]; thresholds?: ThresholdResult[] } = {},
): Part {
  const r = new LatencyRecorder();
  for (const v of latencies) r.record(v);
  const handshake = r.summary();
  r.destroy();
  const n = latencies.length;
  const origin = START + (patch.startOffsetMs ?? 0);
  const load: LoadResult = {
    model: 'arrival-rate',
    stages: [{ fromRate: 30, toRate: 30, durationMs: 2000 }],
    scheduled: n,
    attempts: n,
    skippedMaxInFlight: 0,
    upgrades: n,
    unexpected: 0,
    outcomes: { upgraded: n },
    ...(handshake ? { handshake } : {}),
    sets: [
      {
        target: 'gw',
        credential: 'valid',
        expected: ['upgraded'],
        attempts: n,
        outcomes: { upgraded: n },
        unexpected: 0,
        timings: {},
      },
    ],
    series: [
      { t: 0, attempts: Math.ceil(n / 2), upgrades: Math.ceil(n / 2), errors: 0, open: 1 },
      { t: 1, attempts: Math.floor(n / 2), upgrades: Math.floor(n / 2), errors: 0, open: 0 },
    ],
    startedAt: new Date(origin).toISOString(),
    durationMs: 2000,
    partial: false,
    workers: 2,
    sourceAddresses: [],
    generator: {
      lateBeyondBound: 0,
      lateBoundMs: 10,
      loopDelay: { p50: 1, p99: 2 + index, max: 9 },
      cpu: { userMs: 1, systemMs: 1, busiestShare: 0.1 * index },
      processes: 2,
      nice: index === 2 ? 5 : -10,
    },
    saturation: { side: 'none', reasons: [] },
  };
  const fatal = patch.fatal ?? [];
  return {
    file: `part-${index}-of-${of}.json`,
    summary: {
      schema: 'wsgate.summary',
      schemaVersion: 3,
      partial: fatal.length > 0,
      ...(fatal.length > 0 ? { partialReason: fatal[0] } : {}),
      tool: { name: 'wsgate', version: '0.1.0' },
      environment: { ...env, hostname: `runner${index}` },
      scenario: { name: 'split', file: 'split.yaml', hash: patch.hash ?? 'a'.repeat(64) },
      run: {
        id: `split-${index}`,
        command: 'run',
        startedAt: new Date(origin - 500).toISOString(),
        endedAt: new Date(origin + 2000).toISOString(),
        durationMs: 2500,
      },
      segment: { index, of, startAt: new Date(START).toISOString() },
      targets: [{ name: 'gw', url: 'ws://198.18.0.20:8080/echo' }],
      credentials: [{ name: 'valid', expect: 200, authState: 'ok' }],
      load,
      metrics: {},
      thresholds: patch.thresholds ?? JUDGED_LATER,
      verdict: { passed: fatal.length === 0, exitCode: fatal.length ? 3 : 0, failures: fatal, fatal },
    } satisfies Summary,
  };
}

/** The scenario's thresholds as a segment run leaves them: for the merge to judge. */
const JUDGED_LATER: ThresholdResult[] = [
  { source: 'attempts >= 90', metric: 'attempts', op: '>=', value: 90, actual: undefined, passed: true },
  { source: 'handshake.p99 < 5ms', metric: 'handshake.p99', op: '<', value: 5, actual: undefined, passed: true },
].map((t) => ({ ...t, skipped: JUDGED_ON_MERGE }) as ThresholdResult);

const values = (from: number, count: number, step: number) => Array.from({ length: count }, (_, i) => from + i * step);

test('three segments merge into exact totals: counts summed, percentiles of one histogram of every sample', () => {
  // Three runners with very different latencies: averaging their percentiles would be far off.
  const samples = [values(1, 30, 0.01), values(2, 30, 0.05), values(40, 30, 1)];
  const merged = mergeParts(
    samples.map((s, i) => part(i + 1, 3, s)),
    { runId: 'm', environment: env },
  );
  const load = merged.load!;
  assert.equal(load.attempts, 90);
  assert.equal(load.upgrades, 90);
  assert.equal(load.scheduled, 90);
  assert.deepEqual(load.outcomes, { upgraded: 90 });
  assert.equal(load.workers, 6);
  assert.deepEqual(
    load.series.map((s) => s.attempts),
    [45, 45],
  );
  const union = new LatencyRecorder();
  for (const v of samples.flat()) union.record(v);
  const expected = union.summary()!;
  union.destroy();
  for (const k of ['count', 'p50', 'p90', 'p95', 'p99', 'p999'] as const)
    assert.equal(load.handshake![k], expected[k], k);
  // Min, max and mean come back from the encoded buckets: equal within HDR's 3 significant digits.
  for (const k of ['min', 'max', 'mean'] as const)
    assert.ok(Math.abs(load.handshake![k] - expected[k]) <= expected[k] * 1e-3, `${k}: ${load.handshake![k]}`);
  const averaged = merged.runners!.reduce((n, r) => n + r.handshake!.p99, 0) / 3;
  assert.ok(Math.abs(averaged - load.handshake!.p99) > 10, `merged p99 ${load.handshake!.p99}, average ${averaged}`);
  // Thresholds are judged once, on the merged data: 90 attempts, and a p99 the third runner alone breaks.
  assert.deepEqual(
    merged.thresholds.map((t) => [t.source, t.passed, t.actual, t.skipped]),
    [
      ['attempts >= 90', true, 90, undefined],
      ['handshake.p99 < 5ms', false, load.handshake!.p99, undefined],
    ],
  );
  assert.equal(merged.verdict.exitCode, 1);
  assert.equal(merged.partial, false);
  assert.deepEqual(merged.merge!.coverage, {
    of: 3,
    merged: ['1/3', '2/3', '3/3'],
    missing: [],
    duplicate: [],
    overlapping: [],
  });
  assert.deepEqual(
    merged.runners!.map((r) => [r.label, r.host, r.attempts, r.merged]),
    [
      ['1/3', 'runner1', 30, true],
      ['2/3', 'runner2', 30, true],
      ['3/3', 'runner3', 30, true],
    ],
  );
  // The worst runner's generator is the merged generator's.
  assert.equal(load.generator!.loopDelay.p99, 5);
  // And its priority the least favoured runner's: runner 2 could not raise its own.
  assert.equal(load.generator!.nice, 5);
});

test('a missing segment makes the merge partial (exit 3); a duplicate and another split are left out', () => {
  const missing = mergeParts([part(1, 3, [1, 2]), part(3, 3, [3])], { runId: 'm', environment: env });
  assert.equal(missing.verdict.exitCode, 3);
  assert.equal(missing.partial, true);
  assert.deepEqual(missing.merge!.coverage!.missing, ['2/3']);
  assert.match(missing.verdict.failures.join('\n'), /segment 2\/3 missing: the merged numbers cover 2 of 3 segments/);
  assert.equal(missing.load!.attempts, 3);

  const mixed = mergeParts([part(1, 2, [1]), part(2, 2, [2]), part(2, 2, [4, 5]), part(1, 3, [9])], {
    runId: 'm',
    environment: env,
  });
  assert.equal(mixed.verdict.exitCode, 3);
  assert.deepEqual(mixed.merge!.coverage!.duplicate, ['2/2']);
  assert.deepEqual(mixed.merge!.coverage!.overlapping, ['1/3']);
  assert.equal(mixed.load!.attempts, 2, 'only one part per segment is merged');
  assert.deepEqual(
    mixed.runners!.map((r) => r.merged),
    [true, true, false, false],
  );
});

test('parts of different scenarios cannot be merged (invalid input)', () => {
  assert.throws(
    () => mergeParts([part(1, 2, [1]), part(2, 2, [1], { hash: 'b'.repeat(64) })], { runId: 'm', environment: env }),
    (e: Error) => e instanceof MergeInputError && /different scenarios/.test(e.message),
  );
});

test('runners that began apart are aligned by whole seconds and reported; one not carried out gives exit 3', () => {
  const merged = mergeParts(
    [
      part(1, 2, [1, 2], { startOffsetMs: 4 }),
      part(2, 2, [1, 2], { startOffsetMs: 3010, fatal: ['invalid run: the load generator was saturated (x)'] }),
    ],
    { runId: 'm', environment: env },
  );
  assert.equal(merged.merge!.clock.spreadMs, 3006);
  assert.deepEqual(
    merged.runners!.map((r) => r.clock?.startOffsetMs),
    [4, 3010],
  );
  assert.match(merged.merge!.warnings.join('\n'), /began 3\.0 s apart by their own clocks/);
  // Runner 2's seconds 0 and 1 are seconds 3 and 4 of the merged run.
  assert.deepEqual(
    merged.load!.series.map((s) => [s.t, s.attempts]),
    [
      [0, 1],
      [1, 1],
      [3, 1],
      [4, 1],
    ],
  );
  assert.equal(merged.verdict.exitCode, 3);
  assert.ok(merged.verdict.failures.includes('runner 2/2: invalid run: the load generator was saturated (x)'));
});
