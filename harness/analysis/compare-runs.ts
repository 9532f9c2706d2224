import { mergeSummaries } from '../metrics/latency-recorder.ts';
import { percentileInterval } from '../metrics/percentile-interval.ts';
import type { LatencySummary } from '../model/histogram.ts';
import type { Summary } from '../model/summary.ts';
import { normalQuantile, tQuantile } from '../stats/distributions.ts';

/**
 * Gateways compared across separate runs (`wsgate compare runA runB`, or history folders with
 * several runs each). Separate runs were not interleaved: machine noise between them is part of
 * any difference. With one run per side that noise is unmeasured, so no verdict is given — only
 * each run's own sampling interval. With at least MIN_RUNS runs per side the run-to-run spread is
 * measured and a Welch t interval on the per-run values decides, at a family-wise confidence split
 * over every comparison made.
 */

/** Runs per side before a separate-run comparison gives a verdict. */
export const MIN_RUNS = 3;
export const FAMILY_CONFIDENCE = 0.95;
/** The percentiles of the time to 101 under load that separate runs are compared on. */
export const CROSS_RUN_PERCENTILES = [50, 95, 99] as const;

/** One compared column: a target, in one run or several runs of the same configuration. */
export interface RunColumn {
  label: string;
  target: string;
  runs: readonly Summary[];
}

export interface CrossRunCell {
  /** The metric in each run that has it. */
  values: number[];
  /** The middle run's value (the only one with a single run). */
  median: number;
  /** With a single run: that run's own sampling interval of the percentile. */
  interval?: { low: number; high: number };
  /** Runs left out because their load generator was saturated (their numbers describe wsgate). */
  invalid?: number;
}

export type CrossRunVerdict = 'faster' | 'slower' | 'no_difference' | 'not_enough_runs' | 'no_data';

export interface CrossRunDifference {
  /** Mean of the column's per-run values minus the reference column's. */
  diff: number;
  ciLow?: number;
  ciHigh?: number;
  verdict: CrossRunVerdict;
}

export interface CrossRunRow {
  metric: string;
  cells: Array<CrossRunCell | undefined>;
  /** Per column against column 0; undefined for column 0. */
  differences: Array<CrossRunDifference | undefined>;
}

/** The time to 101 under load of one target in one run, over all its credential sets. */
export function upgradeLatency(s: Summary, target: string): LatencySummary | undefined {
  return mergeSummaries((s.load?.sets ?? []).filter((x) => x.target === target).map((x) => x.timings?.upgrade));
}

/** Compare every column with the first, percentile by percentile of the time to 101 under load. */
export function compareRuns(columns: readonly RunColumn[]): CrossRunRow[] {
  const comparisons = Math.max(1, (columns.length - 1) * CROSS_RUN_PERCENTILES.length);
  const confidence = 1 - (1 - FAMILY_CONFIDENCE) / comparisons;
  return CROSS_RUN_PERCENTILES.map((p) => {
    const cells = columns.map((c) => cell(c, p));
    const reference = cells[0];
    return {
      metric: `101 p${p}`,
      cells,
      differences: cells.map((x, i) => (i === 0 ? undefined : difference(reference, x, confidence))),
    };
  });
}

function cell(c: RunColumn, p: number): CrossRunCell | undefined {
  const valid = c.runs.filter((s) => !generatorSaturated(s));
  const invalid = c.runs.length - valid.length;
  const summaries = valid.flatMap((s) => {
    const l = upgradeLatency(s, c.target);
    return l ? [l] : [];
  });
  if (summaries.length === 0) return undefined;
  const values = summaries.map((l) => percentileInterval(l.histogram, p).value);
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const left = invalid > 0 ? { invalid } : {};
  if (summaries.length > 1) return { values, median, ...left };
  const i = percentileInterval(summaries[0]!.histogram, p);
  return { values, median, interval: { low: i.low, high: i.high }, ...left };
}

function difference(a: CrossRunCell | undefined, b: CrossRunCell | undefined, confidence: number): CrossRunDifference {
  if (!a || !b) return { diff: Number.NaN, verdict: 'no_data' };
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const diff = mean(b.values) - mean(a.values);
  if (a.values.length < MIN_RUNS || b.values.length < MIN_RUNS) return { diff, verdict: 'not_enough_runs' };
  const variance = (xs: number[]) => {
    const m = mean(xs);
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  };
  const va = variance(a.values) / a.values.length;
  const vb = variance(b.values) / b.values.length;
  const se = Math.sqrt(va + vb);
  // Welch-Satterthwaite degrees of freedom; identical values (se 0) fall back to the normal.
  const dof =
    se === 0
      ? Number.POSITIVE_INFINITY
      : (va + vb) ** 2 / (va ** 2 / (a.values.length - 1) + vb ** 2 / (b.values.length - 1));
  const q = 1 - (1 - confidence) / 2;
  const half = (Number.isFinite(dof) ? tQuantile(q, dof) : normalQuantile(q)) * se;
  const ciLow = diff - half;
  const ciHigh = diff + half;
  return { diff, ciLow, ciHigh, verdict: ciLow > 0 ? 'slower' : ciHigh < 0 ? 'faster' : 'no_difference' };
}

/** The run's load generator ran out: its latencies describe wsgate, not the target. */
export function generatorSaturated(s: Summary): boolean {
  const side = s.load?.saturation?.side;
  return side === 'generator' || side === 'both';
}
