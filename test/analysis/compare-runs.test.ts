import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRuns } from '../../harness/analysis/compare-runs.ts';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import type { Summary } from '../../harness/model/summary.ts';

/** A run whose upgrades through `target` all took about `ms`, its generator healthy or saturated. */
function run(target: string, ms: number, side: 'none' | 'generator' = 'none'): Summary {
  const r = new LatencyRecorder();
  for (let i = 0; i < 500; i++) r.record(ms * (0.9 + (0.2 * i) / 500));
  const upgrade = r.summary()!;
  r.destroy();
  return {
    load: { sets: [{ target, timings: { upgrade } }], saturation: { side, reasons: [] } },
  } as unknown as Summary;
}

test('runs whose generator was saturated are left out of a side, and counted', () => {
  const a = [run('gw', 4), run('gw', 4.1), run('gw', 3.9)];
  // Two of B's five runs measured a starved generator (10x): left out, B is as fast as A.
  const b = [
    run('gw', 4),
    run('gw', 40, 'generator'),
    run('gw', 4.05),
    run('gw', 42, 'both' as 'generator'),
    run('gw', 3.95),
  ];
  const rows = compareRuns([
    { label: 'a', target: 'gw', runs: a },
    { label: 'b', target: 'gw', runs: b },
  ]);
  const p50 = rows.find((r) => r.metric === '101 p50')!;
  assert.equal(p50.cells[1]!.values.length, 3);
  assert.equal(p50.cells[1]!.invalid, 2);
  assert.equal(p50.cells[0]!.invalid, undefined);
  assert.equal(p50.differences[1]!.verdict, 'no_difference', JSON.stringify(p50.differences[1]));
});
