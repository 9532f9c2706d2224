import type { MetricName } from './metrics.ts';

/** Comparison operators a threshold may use. */
export const THRESHOLD_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Op = (typeof THRESHOLD_OPS)[number];

/** One parsed threshold: `handshake.p95 < 50ms` is metric handshake.p95, op <, value 50 (ms). */
export interface Threshold {
  source: string;
  metric: MetricName;
  op: Op;
  /** In the metric's own unit: milliseconds for durations, a fraction for ratios given in %. */
  value: number;
}

export interface ThresholdResult extends Threshold {
  /** The metric's measured value; undefined when the run produced no such metric. */
  actual: number | undefined;
  passed: boolean;
  /** Why the threshold was not judged: the command did not run the phase that measures it. */
  skipped?: string;
}
