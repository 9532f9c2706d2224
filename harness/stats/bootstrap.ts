import { interpolatedQuantile, percentileOfSorted, rankIndex, sortedCopy } from './percentile.ts';
import { seededRandom } from './random.ts';

/** One interleaved round: the baseline half and the auth half that ran next to it (latencies in ms). */
export interface PairedRound {
  baseline: readonly number[];
  auth: readonly number[];
}

export interface BootstrapOptions {
  /** Percentiles to compare, e.g. [50, 90, 95, 99]. */
  percentiles: readonly number[];
  resamples: number;
  /** Two-sided confidence level, e.g. 0.95. */
  confidence: number;
  seed: number;
}

export interface DifferenceEstimate {
  percentile: number;
  /** auth percentile minus baseline percentile over every value. */
  diff: number;
  ciLow: number;
  ciHigh: number;
}

export interface BootstrapResult {
  differences: DifferenceEstimate[];
  /** Resamples that had values on both sides (a resample of only empty rounds is dropped). */
  resamplesUsed: number;
}

/** One side's values sorted once, each remembering its round, so a resample is a weighted walk. */
interface SortedSide {
  values: Float64Array;
  round: Int32Array;
  /** Values per round. */
  perRound: Int32Array;
}

/**
 * Difference of percentiles (auth - baseline) with a percentile-bootstrap confidence interval that
 * resamples whole rounds, each with both of its halves.
 *
 * Why rounds and not attempts: attempts in one round share the machine's state at that moment
 * (another process's burst, a GC, a CPU frequency step), so they are not independent; resampling
 * attempts would treat them as if they were and give an interval that is too narrow. Why paired:
 * the baseline and auth halves of a round ran side by side, so drift that hit one hit the other;
 * drawing them together keeps that cancellation in every resample, as it is in the estimate.
 *
 * Fast because nothing is re-sorted or re-histogrammed: each side is sorted once; a resample gives
 * each round a multiplicity, and one pass over the sorted values accumulates those weights until
 * each wanted rank is reached.
 */
export function bootstrapDifferences(rounds: readonly PairedRound[], opts: BootstrapOptions): BootstrapResult {
  const percentiles = [...opts.percentiles].sort((a, b) => a - b);
  const baseline = sortSide(rounds.map((r) => r.baseline));
  const auth = sortSide(rounds.map((r) => r.auth));
  const point = percentiles.map((p) => percentileOfSorted(auth.values, p) - percentileOfSorted(baseline.values, p));
  if (baseline.values.length === 0 || auth.values.length === 0) {
    return {
      differences: percentiles.map((p, i) => ({
        percentile: p,
        diff: point[i]!,
        ciLow: Number.NaN,
        ciHigh: Number.NaN,
      })),
      resamplesUsed: 0,
    };
  }

  const random = seededRandom(opts.seed);
  const n = rounds.length;
  const weights = new Int32Array(n);
  const samples = percentiles.map(() => new Float64Array(opts.resamples));
  const outB = new Float64Array(percentiles.length);
  const outA = new Float64Array(percentiles.length);
  let used = 0;
  for (let s = 0; s < opts.resamples; s++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[Math.floor(random() * n)]! += 1;
    if (
      !weightedPercentiles(baseline, weights, percentiles, outB) ||
      !weightedPercentiles(auth, weights, percentiles, outA)
    )
      continue;
    for (let k = 0; k < percentiles.length; k++) samples[k]![used] = outA[k]! - outB[k]!;
    used++;
  }

  const alpha = 1 - opts.confidence;
  const differences = percentiles.map((p, k) => {
    const dist = samples[k]!.subarray(0, used).sort();
    return {
      percentile: p,
      diff: point[k]!,
      ciLow: interpolatedQuantile(dist, alpha / 2),
      ciHigh: interpolatedQuantile(dist, 1 - alpha / 2),
    };
  });
  return { differences, resamplesUsed: used };
}

function sortSide(perRound: ReadonlyArray<readonly number[]>): SortedSide {
  const total = perRound.reduce((sum, r) => sum + r.length, 0);
  const order: Array<{ v: number; r: number }> = new Array(total);
  let i = 0;
  perRound.forEach((values, r) => {
    for (const v of values) order[i++] = { v, r };
  });
  order.sort((a, b) => a.v - b.v);
  return {
    values: sortedCopy(order.map((o) => o.v)),
    round: Int32Array.from(order, (o) => o.r),
    perRound: Int32Array.from(perRound, (r) => r.length),
  };
}

/**
 * Nearest-rank percentiles of `side` where every value of round r counts `weights[r]` times.
 * `percentiles` ascending; writes into `out`. False when the resample holds no value of this side.
 */
function weightedPercentiles(
  side: SortedSide,
  weights: Int32Array,
  percentiles: readonly number[],
  out: Float64Array,
): boolean {
  let total = 0;
  for (let r = 0; r < weights.length; r++) total += weights[r]! * side.perRound[r]!;
  if (total === 0) return false;
  let k = 0;
  // rankIndex is 0-based: the value reached once more than `target` weights are behind us.
  let target = rankIndex(total, percentiles[0]!);
  let cumulative = 0;
  const { values, round } = side;
  for (let i = 0; i < values.length && k < percentiles.length; i++) {
    cumulative += weights[round[i]!]!;
    while (k < percentiles.length && cumulative > target) {
      out[k++] = values[i]!;
      if (k < percentiles.length) target = rankIndex(total, percentiles[k]!);
    }
  }
  return true;
}
