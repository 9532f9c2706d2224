import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, normalQuantile, poissonAtLeast, robustSd, tQuantile } from '../../harness/stats/distributions.ts';
import { interpolatedQuantile, percentileOfSorted, rankIndex, sortedCopy } from '../../harness/stats/percentile.ts';
import { seededRandom } from '../../harness/stats/random.ts';

test('nearest-rank percentiles: the smallest value with at least p% of the values at or below it', () => {
  const sorted = [10, 20, 30, 40];
  const cases: Array<[number, number]> = [
    [0, 10],
    [0.1, 10],
    [25, 10],
    [26, 20],
    [50, 20],
    [50.1, 30],
    [75, 30],
    [76, 40],
    [99.9, 40],
    [100, 40],
  ];
  for (const [p, want] of cases) assert.equal(percentileOfSorted(sorted, p), want, `p${p} of ${sorted}`);
  assert.ok(Number.isNaN(percentileOfSorted([], 50)));
  assert.equal(percentileOfSorted([7], 99), 7);
  assert.equal(percentileOfSorted(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 90), 9);
  // 0-based index among n values, clamped to the array.
  assert.deepEqual(
    [rankIndex(10, 50), rankIndex(10, 90), rankIndex(10, 91), rankIndex(10, 100), rankIndex(10, 150), rankIndex(1, 1)],
    [4, 8, 9, 9, 9, 0],
  );
  assert.equal(rankIndex(10, 0), 0);
  assert.equal(rankIndex(200, 95), 189);
  assert.equal(rankIndex(200, 99), 197);
});

test('nearest rank p99.9 of 1000 values is the 999th value, not the maximum', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentileOfSorted(values, 99.9), 999);
  assert.equal(percentileOfSorted(values.slice(0, 100), 7), 7);
});

test('interpolated quantiles run linearly between the order statistics around q', () => {
  assert.equal(interpolatedQuantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(interpolatedQuantile([0, 10], 0.25), 2.5);
  assert.equal(interpolatedQuantile([0, 10, 20], 0.75), 15);
  assert.equal(interpolatedQuantile([0, 10, 20, 40], 0.9), 34);
  assert.equal(interpolatedQuantile([1, 2, 3, 4, 5], 0), 1);
  assert.equal(interpolatedQuantile([1, 2, 3, 4, 5], 1), 5);
  assert.equal(interpolatedQuantile([8], 0.975), 8);
  assert.ok(Number.isNaN(interpolatedQuantile([], 0.5)));
});

test('sortedCopy sorts numerically into a new array and leaves its input alone', () => {
  const input = [3, 1, 10, 2, -1, 0.5];
  const sorted = sortedCopy(input);
  assert.ok(sorted instanceof Float64Array);
  assert.deepEqual([...sorted], [-1, 0.5, 1, 2, 3, 10]);
  assert.deepEqual(input, [3, 1, 10, 2, -1, 0.5]);
});

/** mulberry32 as published (Tommy Ettinger; the usual JavaScript form), independent of harness/stats/random.ts. */
function mulberry32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the seeded generator is mulberry32: the published sequence for a seed, in [0, 1)', () => {
  for (const seed of [0, 1, 42, 0xdeadbeef, 2 ** 32 - 1]) {
    const ours = seededRandom(seed);
    const reference = mulberry32(seed);
    for (let i = 0; i < 1000; i++) {
      const v = ours();
      assert.equal(v, reference(), `seed ${seed}, draw ${i}`);
      assert.ok(v >= 0 && v < 1, `seed ${seed}, draw ${i}: ${v}`);
    }
  }
  // Spread over [0, 1): each tenth gets 10% of 20,000 draws, within 1.5 points.
  const random = seededRandom(7);
  const tenths = new Array<number>(10).fill(0);
  for (let i = 0; i < 20_000; i++) tenths[Math.floor(random() * 10)]! += 1;
  for (const [k, n] of tenths.entries()) assert.ok(Math.abs(n / 20_000 - 0.1) < 0.015, `tenth ${k}: ${n}`);
});

test('normal and Student t quantiles are the tabulated values', () => {
  const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 5e-4, `${what}: ${got}`);
  close(normalQuantile(0.975), 1.96, 'z 0.975');
  close(normalQuantile(0.5), 0, 'z 0.5');
  close(normalQuantile(0.05), -1.645, 'z 0.05');
  close(tQuantile(0.975, 6), 2.447, 't 0.975, 6');
  close(tQuantile(0.95, 10), 1.812, 't 0.95, 10');
  close(tQuantile(0.975, 1), 12.706, 't 0.975, 1');
});

test('median and the robust standard deviation (1.4826 x MAD)', () => {
  assert.ok(Number.isNaN(median([])));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 2, 1]), 2, 'numeric, not string, order');
  assert.equal(median([5]), 5);
  const input = [4, 1, 3, 2];
  median(input);
  assert.deepEqual(input, [4, 1, 3, 2], 'the input is not sorted in place');
  // Deviations from the median 3: 2, 1, 0, 1, 97; their median is 1.
  assert.equal(robustSd([1, 2, 3, 4, 100]), 1.4826);
  assert.equal(robustSd([5, 5, 5]), 0);
  assert.equal(robustSd([1, 3]), 1.4826);
});

test('P(X >= k) of a Poisson count: 1 for k <= 0, else one minus the cdf below k', () => {
  const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-9, `${what}: ${got}`);
  close(poissonAtLeast(0, 2), 1, 'k = 0');
  close(poissonAtLeast(-3, 2), 1, 'k < 0');
  // P(X >= 1) = 1 - e^-2; P(X >= 3) = 1 - e^-2 (1 + 2 + 2).
  close(poissonAtLeast(1, 2), 1 - Math.exp(-2), 'k = 1');
  close(poissonAtLeast(3, 2), 1 - 5 * Math.exp(-2), 'k = 3');
  close(poissonAtLeast(1, 0.5), 1 - Math.exp(-0.5), 'k = 1, lambda 0.5');
});
