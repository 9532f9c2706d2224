import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapDifferences, type PairedRound } from '../../harness/stats/bootstrap.ts';
import { interpolatedQuantile, percentileOfSorted, sortedCopy } from '../../harness/stats/percentile.ts';
import { seededRandom } from '../../harness/stats/random.ts';

const PCTS = [50, 90, 95, 99];

/** Rounds whose values share a per-round drift (as on a shared machine), auth shifted by `shift` ms. */
function simulate(seed: number, rounds: number, perRound: number, shift: number): PairedRound[] {
  const random = seededRandom(seed);
  const noise = () => -Math.log(1 - random()) * 0.3;
  return Array.from({ length: rounds }, () => {
    const drift = random() * 0.6;
    return {
      baseline: Array.from({ length: perRound }, () => 1 + drift + noise()),
      auth: Array.from({ length: perRound }, () => 1 + shift + drift + noise()),
    };
  });
}

/** The obvious bootstrap: concatenate the drawn rounds, sort, take percentiles. Slow, plainly right. */
function naiveBootstrap(rounds: PairedRound[], resamples: number, seed: number) {
  const random = seededRandom(seed);
  const dists = PCTS.map(() => [] as number[]);
  for (let s = 0; s < resamples; s++) {
    const drawn = Array.from({ length: rounds.length }, () => rounds[Math.floor(random() * rounds.length)]!);
    const b = sortedCopy(drawn.flatMap((r) => [...r.baseline]));
    const a = sortedCopy(drawn.flatMap((r) => [...r.auth]));
    PCTS.forEach((p, k) => {
      dists[k]!.push(percentileOfSorted(a, p) - percentileOfSorted(b, p));
    });
  }
  return dists.map((d) => {
    const sorted = sortedCopy(d);
    return [interpolatedQuantile(sorted, 0.025), interpolatedQuantile(sorted, 0.975)];
  });
}

test('the one-pass weighted bootstrap gives the intervals of concatenate-and-sort resampling', () => {
  const rounds = simulate(7, 12, 25, 0.4);
  const fast = bootstrapDifferences(rounds, { percentiles: PCTS, resamples: 300, confidence: 0.95, seed: 11 });
  const naive = naiveBootstrap(rounds, 300, 11);
  assert.equal(fast.resamplesUsed, 300);
  fast.differences.forEach((d, k) => {
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

test('the 95% interval covers the true difference about 95% of the time when rounds drift', () => {
  let covered = 0;
  const trials = 120;
  for (let i = 0; i < trials; i++) {
    const d = bootstrapDifferences(simulate(1000 + i, 20, 30, 0.5), {
      percentiles: [50],
      resamples: 500,
      confidence: 0.95,
      seed: i,
    }).differences[0]!;
    if (d.ciLow <= 0.5 && 0.5 <= d.ciHigh) covered++;
  }
  // Binomial(120, 0.95) is below 104 with probability < 0.2%; an 80% interval passed off as 95% would cover ~96.
  assert.ok(covered >= 104, `covered ${covered} of ${trials}`);
});

test('2000 resamples over 20 rounds x 50 attempts per side take well under a second', () => {
  const rounds = simulate(9, 20, 50, 0.3);
  const t0 = performance.now();
  bootstrapDifferences(rounds, { percentiles: PCTS, resamples: 2000, confidence: 0.95, seed: 1 });
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});

test('a side without values gives a NaN interval instead of a made-up one', () => {
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
