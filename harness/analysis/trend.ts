import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { mergeSummaries } from '../metrics/latency-recorder.ts';
import { enoughSamples, percentileInterval } from '../metrics/percentile-interval.ts';
import type { EncodedHistogram, LatencySummary } from '../model/histogram.ts';
import { lookupMetric, type MetricRef } from '../model/metrics.ts';
import type { Summary } from '../model/summary.ts';
import type { MetricTrend, TrendReport } from '../model/trend.ts';
import { median, poissonAtLeast, robustSd, tQuantile } from '../stats/distributions.ts';
import { generatorSaturated } from './compare-runs.ts';

/**
 * The regression rule of `wsgate trend`. The latest run is compared with the previous `window`
 * runs: their median is the level, and how far a run may stray from it is the larger of their
 * spread between runs (1.4826 x MAD) and one run's own sampling error (the percentile's interval
 * from its histogram), widened for a new run. A metric regresses when the latest is worse than the
 * level by more than a Student t multiple of that (t with window - 1 degrees of freedom, one-sided,
 * at FALSE_ALARM_RATE split over every metric judged, so one evaluation of identical runs flags
 * anything at most that often) and by more than the metric's practical tolerance. A percentile
 * needs enough samples in every run (p99: 1,000; p99.9: 10,000); min and max are never judged.
 * `npm run bench:trend` measures the false-alarm and detection rates of this rule on real runs.
 */

/** How many earlier runs the latest is compared with, by default. */
export const DEFAULT_WINDOW = 7;
/** The fewest earlier runs the rule judges with (t with 2 degrees of freedom is already very wide). */
export const MIN_WINDOW = 3;
/** Family-wise: the chance that one evaluation of identical runs flags any metric. */
export const FALSE_ALARM_RATE = 0.05;
/** Without a tolerance in the scenario's `trend:` block: latencies may move 5% before it matters. */
const DEFAULT_LATENCY_TOLERANCE = 0.05;
/** The smallest spread a metric is given, by unit, so a window of equal values does not flag trivia. */
const SPREAD_FLOOR: Record<string, number> = { ms: 0.01, count: 0.5, ratio: 0.001, per_second: 0.5 };

export interface TrendOptions {
  window?: number;
}

interface Point {
  value: number;
  interval?: { low: number; high: number };
  count?: number;
}

/** Judge every metric of a history (oldest first) and say which ones the latest run regressed. */
export function trends(history: readonly Summary[], opts: TrendOptions = {}): TrendReport {
  const window = opts.window ?? DEFAULT_WINDOW;
  // A run whose generator was saturated measured wsgate, not the target: it is no baseline (see
  // prepare), and as the latest run it is judged against nothing (its verdict says it is invalid).
  const all = history;
  const latestRun = all[all.length - 1];
  if (latestRun && generatorSaturated(latestRun)) {
    const names = [...new Set(all.flatMap((s) => Object.keys(s.metrics)))].sort();
    const note = 'the latest run is invalid (its load generator was saturated): nothing is judged against it';
    return {
      window,
      falseAlarmRate: FALSE_ALARM_RATE,
      judged: 0,
      metrics: names.map((metric) => ({
        metric,
        values: all.map((s) => (s.metrics as Record<string, number | undefined>)[metric] ?? null),
        intervals: all.map(() => null),
        higherIsBetter: lookupMetric(metric)?.def.better === 'higher',
        status: 'not_judged' as const,
        note,
      })),
    };
  }
  const names = [...new Set(history.flatMap((s) => Object.keys(s.metrics)))].sort();
  const latest = history[history.length - 1];
  const tolerances = latest?.trend?.tolerances ?? {};
  const pending = names.map((metric) => prepare(metric, history, window));
  const judged = pending.filter((p) => p.trend.status === 'judged').length;
  for (const p of pending) if (p.trend.status === 'judged') decide(p, judged, tolerances);
  return { window, falseAlarmRate: FALSE_ALARM_RATE, judged, metrics: pending.map((p) => p.trend) };
}

interface Pending {
  trend: MetricTrend;
  ref?: MetricRef;
  earlier?: Point[];
  last?: Point;
}

function prepare(metric: string, history: readonly Summary[], window: number): Pending {
  const ref = lookupMetric(metric);
  const points = history.map((s) => point(s, metric, ref));
  const trend: MetricTrend = {
    metric,
    values: points.map((p) => p?.value ?? null),
    intervals: points.map((p) => p?.interval ?? null),
    higherIsBetter: ref?.def.better === 'higher',
    status: 'judged',
  };
  const last = points[points.length - 1];
  const earlier = points
    .slice(0, -1)
    .filter((p, i): p is Point => p !== undefined && !generatorSaturated(history[i]!))
    .slice(-window);
  if (ref?.stat === 'min' || ref?.stat === 'max')
    return { trend: { ...trend, status: 'not_judged', note: 'min and max are never judged' } };
  if (ref?.def.about === 'run') {
    const note = "the run's own health (generator, machine): shown, not judged as the target regressing";
    return { trend: { ...trend, status: 'not_judged', note } };
  }
  if (!last || earlier.length < MIN_WINDOW) {
    const note = `needs a latest value and ${MIN_WINDOW} earlier runs (has ${earlier.length})`;
    return { trend: { ...trend, status: 'too_few_runs', note } };
  }
  const p = ref?.stat ? percentOf(ref.stat) : undefined;
  if (p !== undefined && ref?.base !== 'overhead') {
    const thin = [...earlier, last].find((x) => x.count !== undefined && !enoughSamples(x.count, p));
    if (thin) {
      const needs = Math.ceil(10 / (1 - p / 100));
      const note = `${ref?.stat} needs ${needs} samples per run to be judged; a run had ${thin.count}`;
      return { trend: { ...trend, status: 'not_enough_data', note } };
    }
  }
  return { trend, ref, earlier, last };
}

function decide(p: Pending, judged: number, tolerances: Record<string, number>): void {
  const { trend, ref, earlier, last } = p;
  if (!last || !ref || !earlier) return;
  const k = earlier.length;
  const values = earlier.map((x) => x.value);
  const level = median(values);
  const alpha = FALSE_ALARM_RATE / Math.max(1, judged);
  const worse = (trend.higherIsBetter ? -1 : 1) * (last.value - level);
  const tolerance = toleranceOf(ref, tolerances) * Math.abs(level);
  const relative = level === 0 ? Number.POSITIVE_INFINITY : worse / Math.abs(level);
  if (isEventCount(ref)) {
    // Failures counted per run (failed checks, unexpected outcomes, drops) are rare events: a
    // Poisson tail from the earlier runs' mean (plus half an event spread over them, so a window of
    // zeros still allows one) says how surprising the latest count is.
    const expected = values.reduce((a, b) => a + b, 0) / k + 0.5 / (k + 1);
    let allowed = 0;
    while (allowed < 1e6 && poissonAtLeast(allowed + 1, expected) >= alpha) allowed++;
    trend.band = { runs: k, median: level, low: 0, high: allowed };
    const chance = poissonAtLeast(last.value, expected);
    if (worse <= tolerance || chance >= alpha) return;
    trend.regression = {
      message:
        `${trend.metric} is ${last.value} against ${round(level)} over the previous ${k} runs: as rare events ` +
        `(${round(expected)} expected per run) ${last.value} or more happen by chance with probability ` +
        `${chance.toPrecision(2)}, below the rule's ${alpha.toPrecision(2)}`,
      effect: worse,
      effectLow: worse,
      effectHigh: worse,
      relative,
    };
    return;
  }
  const sampling = earlier.flatMap((x) => (x.interval ? [(x.interval.high - x.interval.low) / (2 * 1.96)] : []));
  const spread = Math.max(robustSd(values), sampling.length ? median(sampling) : 0, SPREAD_FLOOR[ref.def.unit] ?? 0);
  // A new run strays from the window's median by its own spread plus the median's uncertainty.
  const sigma = spread * Math.sqrt(1 + Math.PI / (2 * k));
  const critical = tQuantile(1 - alpha, k - 1);
  trend.band = { runs: k, median: level, low: level - critical * sigma, high: level + critical * sigma };
  if (worse <= tolerance || worse <= critical * sigma) return;
  const spread95 = tQuantile(0.975, k - 1) * sigma;
  const pct = Number.isFinite(relative) ? ` (${(relative * 100).toFixed(1)}%)` : '';
  trend.regression = {
    message:
      `${trend.metric} is ${round(last.value)} against ${round(level)} over the previous ${k} runs: worse by ` +
      `${round(worse)}${pct}, 95% interval [${round(worse - spread95)}, ${round(worse + spread95)}]; ` +
      `the runs vary by ${round(spread)}, and the rule flags beyond ${round(critical * sigma)}`,
    effect: worse,
    effectLow: worse - spread95,
    effectHigh: worse + spread95,
    relative,
  };
}

/** A count of failures per run, where more is worse: judged as rare events, not by their spread. */
function isEventCount(ref: MetricRef): boolean {
  return ref.def.kind === 'counter' && ref.def.better === 'lower';
}

/** The practical tolerance of a metric: the scenario's for the metric or its base, else the default. */
function toleranceOf(ref: MetricRef, tolerances: Record<string, number>): number {
  return tolerances[ref.name] ?? tolerances[ref.base] ?? (ref.def.unit === 'ms' ? DEFAULT_LATENCY_TOLERANCE : 0);
}

/** A run's value of `metric` and, for latencies, the sampling interval its histogram gives it. */
function point(s: Summary, metric: string, ref: MetricRef | undefined): Point | undefined {
  const value = (s.metrics as Record<string, number | undefined>)[metric];
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (!ref?.stat) return { value };
  if (ref.base === 'overhead') {
    const d = (s.overhead ?? [])
      .flatMap((o) => o.differences)
      .find((x) => `overhead.p${x.percentile}` === metric && x.ciHigh === value);
    return d ? { value, interval: { low: value - d.ciWidth / 2, high: value + d.ciWidth / 2 } } : { value };
  }
  const summary = latencyOf(s, ref.base);
  if (!summary) return { value };
  if (ref.stat === 'mean') return { value, interval: meanInterval(summary.histogram), count: summary.count };
  const p = percentOf(ref.stat);
  if (p === undefined) return { value, count: summary.count };
  const i = percentileInterval(summary.histogram, p);
  return { value, interval: { low: i.low, high: i.high }, count: i.count };
}

/** The latency distribution behind a latency metric's base, in this run. */
export function latencyOf(s: Summary, base: string): LatencySummary | undefined {
  const l = s.load;
  switch (base) {
    case 'handshake':
      return l?.handshake;
    case 'connect':
      return l?.connect;
    case 'session.first_rtt':
      return l?.held?.firstRtt;
    case 'session.rtt':
      return l?.held?.rtt;
    case 'tls':
    case 'status':
      return mergeSummaries((l?.sets ?? []).map((x) => x.timings?.[base]));
    default:
      return undefined;
  }
}

function meanInterval(h: EncodedHistogram): { low: number; high: number } {
  const hist = decodeFromCompressedBase64(h.base64);
  try {
    const scale = h.unit === 'us' ? 1000 : 1;
    const se = hist.stdDeviation / Math.sqrt(Math.max(1, hist.totalCount)) / scale;
    const mean = hist.mean / scale;
    return { low: mean - 1.96 * se, high: mean + 1.96 * se };
  } finally {
    hist.destroy();
  }
}

/** `p95` as 95, `p999` as 99.9; undefined for statistics that are not percentiles. */
function percentOf(stat: string): number | undefined {
  if (stat === 'p999') return 99.9;
  return /^p\d+$/.test(stat) ? Number(stat.slice(1)) : undefined;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
