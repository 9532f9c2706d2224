import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { EncodedHistogram } from '../../model/histogram.ts';

/** Percentiles an HDR plot shows, spaced evenly on its log "1 / (1 - p)" axis. */
const PERCENTILES = [0, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 100];

/** Points of a percentile distribution: x = 1 / (1 - p) (the HDR axis), y = latency in ms. */
export interface Curve {
  x: number[];
  y: number[];
}

/** The percentile curve of an encoded histogram, for plotting (a few dozen numbers, not samples). */
export function percentileCurve(h: EncodedHistogram): Curve {
  const hist = decodeFromCompressedBase64(h.base64);
  const scale = h.unit === 'us' ? 1000 : 1;
  const x: number[] = [];
  const y: number[] = [];
  for (const p of PERCENTILES) {
    x.push(1 / (1 - Math.min(p, 99.999) / 100));
    y.push(hist.getValueAtPercentile(p) / scale);
  }
  hist.destroy();
  return { x, y };
}
