import jstat from 'jstat';

// jstat is CommonJS: its functions hang off the default export.
const { jStat } = jstat;

/** The `p` quantile of the standard normal distribution (p = 0.975 gives 1.96). */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

/** P(Z <= z) for the standard normal distribution (z = 1.96 gives 0.975). */
export function normalCdf(z: number): number {
  return jStat.normal.cdf(z, 0, 1);
}

/** The `p` quantile of Student's t with `dof` degrees of freedom (p = 0.975, dof = 6 gives 2.447). */
export function tQuantile(p: number, dof: number): number {
  return jStat.studentt.inv(p, dof);
}

/** P(X >= k) for X ~ Poisson(lambda): how surprising k or more events are when lambda are expected. */
export function poissonAtLeast(k: number, lambda: number): number {
  return k <= 0 ? 1 : 1 - jStat.poisson.cdf(k - 1, lambda);
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** 1.4826 x the median absolute deviation: a robust standard deviation, consistent for normal data. */
export function robustSd(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}
