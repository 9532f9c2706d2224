import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapDifferences, type PairedRound } from '../../harness/stats/bootstrap.ts';
import { seededRandom } from '../../harness/stats/random.ts';
import { simulate } from './simulate.ts';

const PCTS = [50, 90, 95, 99];

/** Ascending copy, numerically. */
const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/**
 * Nearest rank from its definition, not from harness/stats/percentile.ts: the smallest value with
 * at least p% of the values at or below it, counted in whole numbers (p in tenths).
 */
function nearestRank(sorted: readonly number[], p: number): number {
  const tenths = Math.round(p * 10);
  return sorted.find((_, i) => (i + 1) * 1000 >= tenths * sorted.length)!;
}

/** Linear interpolation between the order statistics around q (0..1) of `sorted`. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const below = sorted[Math.floor(pos)]!;
  const above = sorted[Math.ceil(pos)]!;
  return below + (above - below) * (pos - Math.floor(pos));
}

/**
 * The obvious bootstrap: concatenate the drawn rounds, sort, take percentiles. Slow, plainly right.
 * It shares only the random draws with the code under test (the same generator, one draw per round).
 */
function naiveBootstrap(rounds: PairedRound[], resamples: number, seed: number) {
  const random = seededRandom(seed);
  const dists = PCTS.map(() => [] as number[]);
  for (let s = 0; s < resamples; s++) {
    const drawn = Array.from({ length: rounds.length }, () => rounds[Math.floor(random() * rounds.length)]!);
    const b = ascending(drawn.flatMap((r) => [...r.baseline]));
    const a = ascending(drawn.flatMap((r) => [...r.auth]));
    // A resample with no value on a side has no percentile there: it is not used.
    if (a.length === 0 || b.length === 0) continue;
    PCTS.forEach((p, k) => {
      dists[k]!.push(nearestRank(a, p) - nearestRank(b, p));
    });
  }
  const intervals = dists.map((d) => {
    const sorted = ascending(d);
    return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
  });
  return Object.assign(intervals, { used: dists[0]!.length });
}

test('the one-pass weighted bootstrap gives the intervals of concatenate-and-sort resampling', () => {
  const rounds = simulate(7, 12, 25, 0.4);
  const fast = bootstrapDifferences(rounds, { percentiles: PCTS, resamples: 300, confidence: 0.95, seed: 11 });
  const naive = naiveBootstrap(rounds, 300, 11);
  assert.equal(fast.resamplesUsed, 300);
  const all = (side: 'baseline' | 'auth') => ascending(rounds.flatMap((r) => [...r[side]]));
  fast.differences.forEach((d, k) => {
    assert.equal(d.percentile, PCTS[k]);
    assert.equal(d.diff, nearestRank(all('auth'), PCTS[k]!) - nearestRank(all('baseline'), PCTS[k]!), 'point estimate');
    // Equal up to floating-point rounding in the interpolation between order statistics.
    assert.ok(Math.abs(d.ciLow - naive[k]![0]!) < 1e-9, `p${d.percentile} low: ${d.ciLow} vs ${naive[k]![0]}`);
    assert.ok(Math.abs(d.ciHigh - naive[k]![1]!) < 1e-9, `p${d.percentile} high: ${d.ciHigh} vs ${naive[k]![1]}`);
  });
});

test('a constant shift is measured exactly, with a zero-width interval', () => {
  const base = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const rounds = Array.from({ length: 8 }, (_, r) => ({
    baseline: base.map((v) => v + r),
    auth: base.map((v) => v + r + 5),
  }));
  const { differences } = bootstrapDifferences(rounds, {
    percentiles: PCTS,
    resamples: 500,
    confidence: 0.95,
    seed: 1,
  });
  for (const d of differences) assert.deepEqual([d.diff, d.ciLow, d.ciHigh], [5, 5, 5], `p${d.percentile}`);
});

test('the same seed gives the same interval; another seed another one', () => {
  const rounds = simulate(3, 10, 20, 0.2);
  const run = (seed: number) =>
    bootstrapDifferences(rounds, { percentiles: [50], resamples: 400, confidence: 0.95, seed }).differences[0]!;
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
});

// Stryker's mutation run instruments every statement of the code under test with counters and
// switches, which slows the one-pass walk many times and the native sort not at all.
const instrumented = '__stryker__' in globalThis;

test('the one-pass bootstrap is several times faster per resample than concatenate-and-sort on the same data', {
  skip: instrumented ? 'timing means nothing in code instrumented for mutation testing' : false,
}, () => {
  // Relative to the obvious method timed in the same test, so a busy or instrumented machine slows both alike.
  // The one-pass walk is ~20-50x faster here; re-sorting every resample (the mistake this guards) is ~1x.
  const rounds = simulate(9, 20, 50, 0.3);
  const perResample = (run: () => void, resamples: number) => {
    const t0 = performance.now();
    run();
    return (performance.now() - t0) / resamples;
  };
  const fast = perResample(
    () => bootstrapDifferences(rounds, { percentiles: PCTS, resamples: 2000, confidence: 0.95, seed: 1 }),
    2000,
  );
  const naive = perResample(() => naiveBootstrap(rounds, 200, 1), 200);
  assert.ok(
    fast * 4 < naive,
    `one-pass ${fast.toFixed(4)} ms vs concatenate-and-sort ${naive.toFixed(4)} ms per resample`,
  );
});

test('a side without values gives a NaN interval instead of a made-up one', () => {
  const none = bootstrapDifferences(
    [
      { baseline: [], auth: [4, 5] },
      { baseline: [], auth: [6] },
    ],
    { percentiles: [50], resamples: 100, confidence: 0.95, seed: 1 },
  );
  assert.equal(none.resamplesUsed, 0);
  assert.ok(Number.isNaN(none.differences[0]!.diff) && Number.isNaN(none.differences[0]!.ciHigh));
  const { differences, resamplesUsed } = bootstrapDifferences(
    [
      { baseline: [1, 2], auth: [] },
      { baseline: [3], auth: [] },
    ],
    { percentiles: [50], resamples: 100, confidence: 0.95, seed: 1 },
  );
  assert.equal(resamplesUsed, 0);
  assert.ok(Number.isNaN(differences[0]!.ciLow) && Number.isNaN(differences[0]!.ciHigh));
});

test('rounds with an empty half are resampled like the rest; a resample without a value on a side is not used', () => {
  // Rounds 0-3 lost every auth attempt and round 5 every baseline attempt: a resample of 6 rounds draws
  // only rounds 0-3 (no auth value at all) with probability (4/6)^6, about 1 in 11.
  const full = simulate(21, 6, 15, 0.3);
  const rounds: PairedRound[] = full.map((r, i) => ({
    baseline: i === 5 ? [] : r.baseline,
    auth: i < 4 ? [] : r.auth,
  }));
  const fast = bootstrapDifferences(rounds, { percentiles: PCTS, resamples: 400, confidence: 0.95, seed: 4 });
  const naive = naiveBootstrap(rounds, 400, 4);
  assert.ok(naive.used < 390 && naive.used > 330, `${naive.used} of 400 resamples had both sides`);
  assert.equal(fast.resamplesUsed, naive.used);
  fast.differences.forEach((d, k) => {
    assert.ok(Math.abs(d.ciLow - naive[k]![0]!) < 1e-9, `p${d.percentile} low: ${d.ciLow} vs ${naive[k]![0]}`);
    assert.ok(Math.abs(d.ciHigh - naive[k]![1]!) < 1e-9, `p${d.percentile} high: ${d.ciHigh} vs ${naive[k]![1]}`);
  });
});

test('percentiles asked for in any order come back ascending, each with its own interval', () => {
  const rounds = simulate(5, 10, 20, 0.4);
  const opts = { resamples: 300, confidence: 0.9, seed: 8 };
  const shuffled = bootstrapDifferences(rounds, { ...opts, percentiles: [99, 50, 95, 90] });
  const sorted = bootstrapDifferences(rounds, { ...opts, percentiles: [50, 90, 95, 99] });
  assert.deepEqual(
    shuffled.differences.map((d) => d.percentile),
    [50, 90, 95, 99],
  );
  assert.deepEqual(shuffled, sorted);
  // A 90% interval sits inside the 95% one from the same resamples.
  const wide = bootstrapDifferences(rounds, { ...opts, confidence: 0.95, percentiles: [50] }).differences[0]!;
  const narrow = sorted.differences[0]!;
  assert.ok(wide.ciLow <= narrow.ciLow && narrow.ciHigh <= wide.ciHigh, JSON.stringify({ wide, narrow }));
});
