import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { type EncodedHistogram, HDR, type LatencySummary } from '../model/histogram.ts';

export type { LatencySummary } from '../model/histogram.ts';

/**
 * A latency recorder in microseconds with 3 significant digits (model/histogram.ts HDR): fixed
 * memory however many values, which is what keeps a long run's footprint flat.
 */
export class LatencyRecorder {
  private readonly h: Histogram = build({
    lowestDiscernibleValue: HDR.lowestUs,
    highestTrackableValue: HDR.highestUs,
    numberOfSignificantValueDigits: HDR.significantDigits,
    autoResize: true,
  });

  /** Record one latency in milliseconds. */
  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  /**
   * The summary with percentiles in ms; undefined when nothing was recorded. Every statistic is read
   * at the histogram's precision, as HdrHistogram defines them: a percentile and the max are the top
   * of their bucket, the min its bottom. So one recorder, a merge of several and a decoded copy state
   * the same numbers, and no percentile passes the max (an exact max of the raw values would).
   */
  summary(): LatencySummary | undefined {
    const h = this.h;
    if (h.totalCount === 0) return undefined;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: h.totalCount,
      min: ms(h.getValueAtPercentile(0)),
      mean: ms(h.mean),
      max: ms(h.getValueAtPercentile(100)),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      histogram: { unit: HDR.unit, significantDigits: HDR.significantDigits, base64: encodeIntoCompressedBase64(h) },
    };
  }

  /** Forget everything recorded (per-interval recorders). */
  reset(): void {
    this.h.reset();
  }

  /** The histogram, compressed base64, as workers send it to be merged. */
  encoded(): string {
    return encodeIntoCompressedBase64(this.h);
  }

  /** Add a histogram encoded by `encoded()` or carried in a summary (merging across workers). */
  addEncoded(base64: string): void {
    const other = decodeFromCompressedBase64(base64, 32, false);
    this.h.add(other);
    other.destroy();
  }

  destroy(): void {
    this.h.destroy();
  }
}

/** One summary of several (from worker processes), by adding their histograms: exact, not averaged. */
export function mergeSummaries(parts: ReadonlyArray<LatencySummary | undefined>): LatencySummary | undefined {
  const present = parts.filter((p): p is LatencySummary => p !== undefined);
  if (present.length <= 1) return present[0];
  const r = new LatencyRecorder();
  for (const p of present) r.addEncoded(p.histogram.base64);
  const merged = r.summary();
  r.destroy();
  return merged;
}

/** Latencies (ms) as an encoded HDR histogram: what reports plot and later runs merge. */
export function encodeLatencies(valuesMs: readonly number[]): EncodedHistogram {
  const r = new LatencyRecorder();
  for (const v of valuesMs) r.record(v);
  const histogram: EncodedHistogram = { unit: HDR.unit, significantDigits: HDR.significantDigits, base64: r.encoded() };
  r.destroy();
  return histogram;
}
