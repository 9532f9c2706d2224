import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

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
  histogram: { unit: 'us'; significantDigits: number; base64: string };
}

const DIGITS = 3;

/**
 * A latency recorder in microseconds with 3 significant digits: fixed memory however many values,
 * which is what keeps a long run's footprint flat.
 */
export class LatencyRecorder {
  private readonly h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: DIGITS, autoResize: true });

  /** Record one latency in milliseconds. */
  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** The summary with percentiles in ms; undefined when nothing was recorded. */
  summary(): LatencySummary | undefined {
    const h = this.h;
    if (h.totalCount === 0) return undefined;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: h.totalCount,
      min: ms(h.minNonZeroValue),
      mean: ms(h.mean),
      max: ms(h.maxValue),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      histogram: { unit: 'us', significantDigits: DIGITS, base64: encodeIntoCompressedBase64(h) },
    };
  }

  destroy(): void {
    this.h.destroy();
  }
}
