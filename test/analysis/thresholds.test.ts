import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateThresholds, parseThreshold } from '../../harness/plan/thresholds.ts';

test('threshold units convert to the metric unit: s to ms, % to a fraction', () => {
  assert.equal(parseThreshold('handshake.p95 < 1.5s').value, 1500);
  assert.equal(parseThreshold('handshake.p95 < 50ms').value, 50);
  assert.equal(parseThreshold('error_rate <= 1%').value, 0.01);
  assert.equal(parseThreshold('unexpected_outcomes == 0').op, '==');
});

test('a threshold on an unknown metric is refused with the known names', () => {
  assert.throws(() => parseThreshold('latency.p95 < 5ms'), /unknown metric "latency.p95"/);
  assert.throws(() => parseThreshold('handshake.p95 <'), /is not a threshold/);
});

test('thresholds pass and fail on the measured value; a missing metric fails', () => {
  const t = ['unexpected_outcomes == 0', 'handshake.p95 < 50ms', 'overhead.p95 < 10ms'].map(parseThreshold);
  const r = evaluateThresholds(t, { unexpected_outcomes: 0, 'handshake.p95': 51 });
  assert.deepEqual(
    r.map((x) => [x.source, x.passed, x.actual]),
    [
      ['unexpected_outcomes == 0', true, 0],
      ['handshake.p95 < 50ms', false, 51],
      ['overhead.p95 < 10ms', false, undefined],
    ],
  );
});

test('a threshold the command never measures is skipped with the reason, not failed', () => {
  const [r] = evaluateThresholds([parseThreshold('checks_failed == 0')], {}, (m) => (m === 'checks_failed' ? 'probe does not run conformance' : undefined));
  assert.equal(r!.passed, true);
  assert.equal(r!.skipped, 'probe does not run conformance');
  const [measured] = evaluateThresholds([parseThreshold('checks_failed == 0')], { checks_failed: 2 }, () => 'never used when measured');
  assert.equal(measured!.passed, false);
  assert.equal(measured!.skipped, undefined);
});
