import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Op, Threshold } from '../../harness/model/thresholds.ts';
import { compare, evaluateThresholds } from '../../harness/results/gate.ts';

test('every operator holds on its side of the boundary and fails on the other', () => {
  // [op, values that pass against 10, values that fail against 10]
  const table: Array<[Op, number[], number[]]> = [
    ['<', [9, 9.999], [10, 11]],
    ['<=', [9, 10], [10.001, 11]],
    ['>', [10.001, 11], [10, 9]],
    ['>=', [10, 11], [9.999, 9]],
    ['==', [10], [9.999, 10.001]],
    ['!=', [9.999, 10.001], [10]],
  ];
  for (const [op, pass, fail] of table) {
    for (const v of pass) assert.equal(compare(v, op, 10), true, `${v} ${op} 10`);
    for (const v of fail) assert.equal(compare(v, op, 10), false, `${v} ${op} 10`);
  }
});

const t = (source: string, metric: Threshold['metric'], op: Op, value: number): Threshold => ({
  source,
  metric,
  op,
  value,
});

test('thresholds pass and fail on the measured value; a missing metric fails', () => {
  const r = evaluateThresholds(
    [
      t('unexpected_outcomes == 0', 'unexpected_outcomes', '==', 0),
      t('handshake.p95 < 50ms', 'handshake.p95', '<', 50),
      t('overhead.p95 < 10ms', 'overhead.p95', '<', 10),
    ],
    { unexpected_outcomes: 0, 'handshake.p95': 51 },
  );
  assert.deepEqual(
    r.map((x) => [x.source, x.passed, x.actual]),
    [
      ['unexpected_outcomes == 0', true, 0],
      ['handshake.p95 < 50ms', false, 51],
      ['overhead.p95 < 10ms', false, undefined],
    ],
  );
  // Every operator fails on a metric that was not measured, even the ones undefined would satisfy.
  for (const op of ['<', '<=', '>', '>=', '==', '!='] as const) {
    const [r] = evaluateThresholds([t(`overhead.p95 ${op} 10ms`, 'overhead.p95', op, 10)], {});
    assert.deepEqual([r!.passed, r!.actual, r!.skipped], [false, undefined, undefined], op);
  }
});

test('a threshold the command never measures is skipped with the reason, not failed', () => {
  const checks = t('checks_failed == 0', 'checks_failed', '==', 0);
  const [r] = evaluateThresholds([checks], {}, (x) =>
    x.metric === 'checks_failed' ? 'probe does not run conformance' : undefined,
  );
  assert.equal(r!.passed, true);
  assert.equal(r!.skipped, 'probe does not run conformance');
  const [measured] = evaluateThresholds([checks], { checks_failed: 2 }, () => 'never used when measured');
  assert.equal(measured!.passed, false);
  assert.equal(measured!.skipped, undefined);
});

test('unexpected closes by close code: dropped.<code> reads the count of that code, 0 when it never occurred', () => {
  const r = evaluateThresholds(
    [
      t('dropped.1006 == 0', 'dropped.1006', '==', 0),
      t('dropped.1011 == 0', 'dropped.1011', '==', 0),
      t('dropped.1001 <= 2', 'dropped.1001', '<=', 2),
    ],
    { dropped: 5, 'dropped.1006': 2, 'dropped.1001': 3 },
  );
  assert.deepEqual(
    r.map((x) => [x.source, x.passed, x.actual]),
    [
      ['dropped.1006 == 0', false, 2],
      ['dropped.1011 == 0', true, 0],
      ['dropped.1001 <= 2', false, 3],
    ],
  );
  // Without held connections nothing counted drops: no value, and the threshold fails as any unmeasured one.
  const none = evaluateThresholds([t('dropped.1011 == 0', 'dropped.1011', '==', 0)], {});
  assert.deepEqual([none[0]!.passed, none[0]!.actual], [false, undefined]);
});
