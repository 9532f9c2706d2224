import { lookupMetric, type MetricName, type MetricValues } from '../model/metrics.ts';
import type { Op, Threshold, ThresholdResult } from '../model/thresholds.ts';

/**
 * Why a segment of a split run does not judge thresholds itself: a threshold speaks of the whole
 * scenario (`attempts >= 3000`, a p99), so `wsgate merge` judges it once on every segment's data.
 */
export const JUDGED_ON_MERGE = 'judged once on the merged data of every segment, by `wsgate merge`';

/**
 * Judge thresholds against measured metrics. A threshold on a metric the run did not produce fails,
 * unless `notApplicable` says why this command never measures it (then it is skipped, not failed).
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  metrics: Readonly<MetricValues>,
  notApplicable: (t: Threshold) => string | undefined = () => undefined,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metrics[t.metric] ?? keyedZero(t.metric, metrics);
    const skipped = actual === undefined ? notApplicable(t) : undefined;
    if (skipped) return { ...t, actual, passed: true, skipped };
    return { ...t, actual, passed: actual !== undefined && compare(actual, t.op, t.value) };
  });
}

/** `a <op> b`, the comparison a threshold states. */
export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** A keyed counter's key that never occurred (`dropped.1011` with no drop by 1011) is 0 when its base was written. */
function keyedZero(name: MetricName, metrics: Readonly<MetricValues>): number | undefined {
  const ref = lookupMetric(name);
  return ref?.key !== undefined && metrics[ref.base as MetricName] !== undefined ? 0 : undefined;
}
