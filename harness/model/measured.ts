import type { EncodedHistogram } from './histogram.ts';

/**
 * A latency measurement made in interleaved rounds (the overhead and comparison phases): how the
 * attempts were sent, and what one target's side of it showed. Durations in ms.
 */

/** Closed model (`concurrency` attempts in flight) or open model (`rate` attempts/s started on a schedule). */
export type AttemptLoad = { model: 'concurrency'; concurrency: number } | { model: 'rate'; ratePerSec: number };

/** The percentiles interleaved measurements report and compare. */
export const MEASURED_PERCENTILES = [50, 90, 95, 99] as const;
export type MeasuredPercentile = (typeof MEASURED_PERCENTILES)[number];
/** `p50`, `p90`, `p95`, `p99`: the keys used in every percentile record. */
export type PercentileKey = `p${MeasuredPercentile}`;
export type Percentiles = Record<PercentileKey, number>;

/** One target's side of an interleaved measurement. */
export interface MeasuredSide {
  /** Target name from the scenario. */
  target: string;
  /** Resolved URL with the credential's path (never its query: that may hold an API key). */
  url: string;
  /** Counted attempts (warm-up excluded). */
  attempts: number;
  /** Attempts that upgraded: only these have a handshake latency. */
  upgraded: number;
  /** Outcome counts of counted attempts (`upgraded`, `http_401`, `refused`, …). */
  outcomes: Record<string, number>;
  /** Handshake latency of upgraded attempts, exact from the recorded values; NaN (null in JSON) when none upgraded. */
  percentiles: Percentiles & { min: number; max: number; mean: number };
  /** The same latencies as an HDR histogram, for plots and merging across runs. */
  histogram: EncodedHistogram;
  /** Handshake latency per round (median), in round order: shows drift and how interleaving met it. */
  roundMedians: number[];
}

/** One side minus another at one percentile, with its bootstrap confidence interval. */
export interface MeasuredDifference {
  percentile: MeasuredPercentile;
  /** Point estimate: this side's percentile minus the other's, over all counted attempts. */
  diff: number;
  ciLow: number;
  ciHigh: number;
  /** ciHigh - ciLow: how much the number can be trusted. */
  ciWidth: number;
}
