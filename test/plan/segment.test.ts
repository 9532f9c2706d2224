import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduledCount, shareOf, stagesOf } from '../../harness/plan/arrival-schedule.ts';
import { parseSegment, segmentShare, workerShare } from '../../harness/plan/segment.ts';

test('segments are written i/N or as k6 execution segments of equal width', () => {
  assert.deepEqual(parseSegment('2/3'), { index: 2, of: 3 });
  assert.deepEqual(parseSegment(' 1/1 '), { index: 1, of: 1 });
  assert.deepEqual(parseSegment('0:1/3'), { index: 1, of: 3 });
  assert.deepEqual(parseSegment('1/3:2/3'), { index: 2, of: 3 });
  assert.deepEqual(parseSegment('2/3:1'), { index: 3, of: 3 });
  assert.deepEqual(parseSegment('2/8:3/8'), { index: 3, of: 8 });
  assert.throws(() => parseSegment('0/3'), /counted from 1 to 3/);
  assert.throws(() => parseSegment('4/3'), /counted from 1 to 3/);
  assert.throws(() => parseSegment('1/0'), /from 1 to/);
  assert.throws(() => parseSegment('0:1/2:1'), /expected a segment such as 2\/3/);
  assert.throws(() => parseSegment('0:2/3'), /not an equal share/);
  assert.throws(() => parseSegment('1/3:1/4'), /expected a segment/);
  assert.throws(() => parseSegment('half'), /expected a segment such as 2\/3/);
});

test('segments x workers take every item exactly once, for small and odd counts too', () => {
  for (const items of [0, 1, 2, 5, 7, 100, 1001]) {
    for (const of of [1, 2, 3, 7]) {
      const taken = new Array<number>(items).fill(0);
      let counted = 0;
      for (let i = 1; i <= of; i++) {
        const part = segmentShare({ index: i, of });
        // Each runner picks its own number of workers; the split stays exact whatever they are.
        const workers = 1 + (i % 3);
        for (let w = 0; w < workers; w++) {
          const share = workerShare(part, w, workers);
          for (let k = 0; k < items; k++) if (k % share.of === share.index) taken[k]!++;
          counted += shareOf(items, share);
        }
      }
      assert.ok(
        taken.every((n) => n === 1),
        `${items} items over ${of} segments: ${taken.join(',')}`,
      );
      assert.equal(counted, items, `${items} items over ${of} segments: the counts add up`);
    }
  }
});

test('the scheduled attempts of the segments add up to the whole schedule', () => {
  const stages = stagesOf([
    { rate: 101, duration: '3s' },
    { from: 7, to: 93, duration: '2s' },
  ]);
  const whole = scheduledCount(stages);
  for (const of of [2, 3, 4, 9]) {
    let sum = 0;
    for (let i = 1; i <= of; i++) sum += scheduledCount(stages, segmentShare({ index: i, of }));
    assert.equal(sum, whole, `${of} segments`);
  }
});
