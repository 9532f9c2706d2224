import { lookupMetric } from '../model/metrics.ts';
import type { Summary } from '../model/summary.ts';

/** How many earlier runs the latest is compared with. */
export const DEFAULT_WINDOW = 7;

export interface MetricTrend {
  metric: string;
  /** One value per run (null where the run did not measure it), oldest first. */
  values: Array<number | null>;
  higherIsBetter: boolean;
  /** Set when the latest run is worse than the window beyond noise. */
  regression?: string;
}

/**
 * The regression rule: the latest value is worse than the median of the previous `window` runs by
 * more than max(3 x MAD, 10% of the median, a floor of 0.05 for durations in ms and 0.5 for
 * counts). The MAD (median absolute deviation) is the window's own noise, so a noisy metric needs a
 * bigger change to count; the 10% floor keeps a very steady window from flagging trivia.
 * Needs at least 3 earlier runs.
 */
export function trends(history: Summary[], window = DEFAULT_WINDOW): MetricTrend[] {
  const names = [...new Set(history.flatMap((s) => Object.keys(s.metrics)))].sort();
  return names.map((metric) => {
    const values = history.map((s) => {
      const v = (s.metrics as Record<string, number | undefined>)[metric];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    // Metrics of older versions that the registry no longer knows are treated as lower-is-better.
    const higherIsBetter = lookupMetric(metric)?.def.better === 'higher';
    const trend: MetricTrend = { metric, values, higherIsBetter };
    const latest = values[values.length - 1];
    const previous = values
      .slice(0, -1)
      .filter((v): v is number => v !== null)
      .slice(-window);
    if (latest === null || latest === undefined || previous.length < 3) return trend;
    const med = median(previous);
    const mad = median(previous.map((v) => Math.abs(v - med)));
    const floor = /\.(p\d+|max|mean|min)$/.test(metric) ? 0.05 : 0.5;
    const tolerance = Math.max(3 * mad, 0.1 * Math.abs(med), floor);
    const worseBy = higherIsBetter ? med - latest : latest - med;
    if (worseBy > tolerance) {
      trend.regression =
        `${metric} is ${round(latest)} against a ` +
        `median of ${round(med)} over the previous ${previous.length} runs (worse by ${round(worseBy)}, tolerance ` +
        `${round(tolerance)} = max(3 x MAD ${round(mad)}, 10% of median, ${floor}))`;
    }
    return trend;
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
