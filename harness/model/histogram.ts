/**
 * How every latency histogram in wsgate is built and carried. One place, so a histogram recorded
 * by a load worker, an overhead round or a later run merges with any other.
 */

/** HDR settings: integer microseconds from 1 us to one hour, 3 significant digits. */
export const HDR = { unit: 'us', lowestUs: 1, highestUs: 3_600_000_000, significantDigits: 3 } as const;

/** An HDR histogram as hdr-histogram-js `encodeIntoCompressedBase64` writes it. */
export interface EncodedHistogram {
  /** Unit of the recorded integer values: microseconds, so sub-millisecond loopback latencies keep 3 digits. */
  unit: 'us';
  /** Significant value digits the histogram was built with. */
  significantDigits: number;
  base64: string;
}

/** Percentiles and the encoded histogram of one latency (ms), as summary.json carries them. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  /** HDR histogram of integer microseconds, compressed base64: for plots and merging. */
  histogram: EncodedHistogram;
}

/** The statistics of a latency that metrics and thresholds can name (`handshake.p95`). */
export const LATENCY_STATS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];
