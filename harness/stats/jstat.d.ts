/** The part of jstat (no published types) that wsgate uses: quantiles of the normal and Student t distributions. */
declare module 'jstat' {
  const jstat: {
    jStat: {
      normal: { inv(p: number, mean: number, sd: number): number; cdf(x: number, mean: number, sd: number): number };
      studentt: { inv(p: number, dof: number): number };
      poisson: { cdf(k: number, lambda: number): number };
    };
  };
  export default jstat;
}
