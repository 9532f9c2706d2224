import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandedConfidence, verdictOf } from '../../harness/comparison/measure.ts';

test('few rounds widen the bootstrap interval as a t interval would (Hesterberg): 8 rounds at 95% read 98.85%', () => {
  // t(7) at 0.975 is 2.3646 (tables); x sqrt(8/7) = 2.5279; 2 x (1 - Phi(2.5279)) = 0.01148.
  assert.ok(Math.abs(expandedConfidence(0.95, 8) - 0.98852) < 0.0002, String(expandedConfidence(0.95, 8)));
  // t(2) at 0.975 is 4.3027; x sqrt(3/2) = 5.2697: nearly the whole bootstrap distribution.
  assert.ok(expandedConfidence(0.95, 3) > 0.99999, String(expandedConfidence(0.95, 3)));
  // Many rounds: the correction fades and the bootstrap's own confidence is used.
  assert.ok(Math.abs(expandedConfidence(0.95, 2000) - 0.95) < 0.001, String(expandedConfidence(0.95, 2000)));
  assert.ok(expandedConfidence(0.95, 10) > expandedConfidence(0.95, 20));
  assert.equal(expandedConfidence(0.95, 1), 0.95);
});

test('slower or faster needs an interval that excludes 0 and a difference of at least the practical share', () => {
  const v = (diff: number, ciLow: number, ciHigh: number, enough = true) =>
    verdictOf({ enough, diff, ciLow, ciHigh }, 0.1);
  assert.equal(v(0.2, 0.05, 0.3), 'slower');
  assert.equal(v(0.1, 0.05, 0.3), 'slower'); // at the practical difference
  assert.equal(v(0.09, 0.05, 0.3), 'no_difference'); // significant, but under it
  assert.equal(v(0.2, 0, 0.3), 'no_difference'); // the interval reaches 0
  assert.equal(v(-0.2, -0.3, -0.05), 'faster');
  assert.equal(v(-0.1, -0.3, -0.05), 'faster');
  assert.equal(v(-0.09, -0.3, -0.05), 'no_difference');
  assert.equal(v(-0.2, -0.3, 0), 'no_difference');
  assert.equal(v(0.2, 0.05, 0.3, false), 'not_enough_data');
  assert.equal(v(0.2, Number.NaN, Number.NaN), 'not_enough_data');
});
