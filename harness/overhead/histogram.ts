import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { EncodedHistogram } from '../model/overhead.ts';

const SIGNIFICANT_DIGITS = 3;

/**
 * Latencies (ms) as an HDR histogram of integer microseconds, compressed base64: what reports plot
 * and history merges. Percentiles in the result come from the exact values; this is for drawing.
 */
export function encodeLatencies(valuesMs: readonly number[]): EncodedHistogram {
  const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, autoResize: true });
  for (const v of valuesMs) h.recordValue(Math.max(1, Math.round(v * 1000)));
  const base64 = encodeIntoCompressedBase64(h);
  h.destroy();
  return { unit: 'us', significantDigits: SIGNIFICANT_DIGITS, base64 };
}
