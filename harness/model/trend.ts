/**
 * What the trend rule says about one metric over a history of runs (analysis/trend.ts decides,
 * report/html/trend.ts draws). Durations in ms.
 */

/**
 * judged: the rule ran · not_enough_data: too few samples for this percentile in some run ·
 * not_judged: min and max are never judged · too_few_runs: fewer earlier runs than the rule needs.
 */
export type TrendStatus = 'judged' | 'not_enough_data' | 'not_judged' | 'too_few_runs';

export interface MetricTrend {
  metric: string;
  /** One value per run (null where the run did not measure it), oldest first. */
  values: Array<number | null>;
  /** Each run's own sampling interval of the value, where it has one (latency percentiles). */
  intervals: Array<{ low: number; high: number } | null>;
  higherIsBetter: boolean;
  status: TrendStatus;
  /** Why the metric was not judged, for the report. */
  note?: string;
  /** The earlier runs' level and how far a new run may stray from it before it counts as a change. */
  band?: { runs: number; median: number; low: number; high: number };
  /** Set when the latest run is worse than the band and by more than the metric's tolerance. */
  regression?: Regression;
}

/** A regression with its effect size: how much worse, with a 95% interval, and as a share of the level. */
export interface Regression {
  message: string;
  effect: number;
  effectLow: number;
  effectHigh: number;
  /** effect / the earlier runs' median. */
  relative: number;
}

/** The whole verdict of one `wsgate trend`: the rule's settings and each metric. */
export interface TrendReport {
  window: number;
  /** Family-wise false-alarm rate the rule is set to: over all judged metrics of one evaluation. */
  falseAlarmRate: number;
  judged: number;
  metrics: MetricTrend[];
}
