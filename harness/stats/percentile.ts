/**
 * Percentiles by the nearest-rank rule (the smallest value with at least p% of the values at or
 * below it), the rule HDR histograms use, so exact and histogram percentiles agree within the
 * histogram's precision. The point estimates and every bootstrap resample use this same rule.
 */

/** Nearest-rank percentile `p` (0 < p <= 100) of an ascending array; NaN when it is empty. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return sorted[rankIndex(n, p)]!;
}

/** 0-based index of the nearest-rank percentile `p` among `n` values. */
export function rankIndex(n: number, p: number): number {
  // (p * n) / 100, not (p / 100) * n: 99.9 / 100 * 1000 is 999.0000000000001 in floating point and
  // would round the rank up past the 999th value; rounding to 9 places first absorbs what is left.
  const rank = Math.ceil(Math.round(((p * n) / 100) * 1e9) / 1e9);
  return Math.min(n - 1, Math.max(0, rank - 1));
}

/**
 * Quantile `q` (0..1) of an ascending array by linear interpolation between order statistics,
 * used for the ends of a bootstrap interval, where the resample distribution is smooth enough.
 */
export function interpolatedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Ascending copy of `values` as a Float64Array (numeric sort, not the string sort of Array#sort). */
export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}
