import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { EncodedHistogram } from '../model/histogram.ts';
import { normalQuantile } from '../stats/distributions.ts';

/** A percentile is judged only with at least this many samples beyond it (p99 needs 1,000, p99.9 10,000). */
export const MIN_TAIL_SAMPLES = 10;

/** Whether `count` samples are enough to judge percentile `p` (0..100). */
export function enoughSamples(count: number, p: number): boolean {
  return count * (1 - p / 100) >= MIN_TAIL_SAMPLES;
}

/** A percentile of a latency and how well one run pins it down. */
export interface PercentileInterval {
  /** The percentile, ms. */
  value: number;
  /** Bounds of its confidence interval, ms: the order statistics the binomial distribution puts around it. */
  low: number;
  high: number;
  count: number;
  enough: boolean;
}

/**
 * Percentile `p` (0..100) of an encoded histogram with a distribution-free confidence interval: the
 * number of samples below the true percentile is binomial(n, p), so the values at ranks
 * n p ± z sqrt(n p (1 - p)) bound it. This is the within-run sampling error that a comparison or a
 * trend must not mistake for a change.
 */
export function percentileInterval(h: EncodedHistogram, p: number, confidence = 0.95): PercentileInterval {
  const hist = decodeFromCompressedBase64(h.base64);
  try {
    const n = hist.totalCount;
    const scale = h.unit === 'us' ? 1000 : 1;
    const at = (rank: number) => hist.getValueAtPercentile(Math.min(100, Math.max(0, (100 * rank) / n))) / scale;
    if (n === 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN, count: 0, enough: false };
    const q = p / 100;
    const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(n * q * (1 - q));
    return {
      value: hist.getValueAtPercentile(p) / scale,
      low: at(Math.floor(n * q - half)),
      high: at(Math.ceil(n * q + half)),
      count: n,
      enough: enoughSamples(n, p),
    };
  } finally {
    hist.destroy();
  }
}
