import type { EndHow, EndSummary, Timeline } from '../model/lifecycle.ts';

/** Buckets of at most this many points, so a long check's timeline stays small in summary.json. */
const MAX_POINTS = 600;

/** A bucket size that keeps `durationMs` under MAX_POINTS points: 250 ms, 1 s, 5 s, … */
export function bucketFor(durationMs: number): number {
  for (const ms of [250, 1000, 5000, 15_000, 60_000]) if (durationMs / ms <= MAX_POINTS) return ms;
  return Math.ceil(durationMs / MAX_POINTS);
}

/**
 * A check's lines over time, in buckets from `origin` (performance.now()): counts added to the
 * bucket of their moment, levels sampled at the end of each bucket, moments marked.
 */
export class TimelineBuilder {
  private readonly lines = new Map<string, { values: Array<number | null>; right?: boolean }>();
  private readonly marks: Timeline['marks'] = [];
  readonly bucketMs: number;
  private readonly buckets: number;

  constructor(
    private readonly origin: number,
    durationMs: number,
    bucketMs = bucketFor(durationMs),
  ) {
    this.bucketMs = bucketMs;
    this.buckets = Math.max(1, Math.ceil(durationMs / bucketMs));
  }

  /** A line; `right` puts it on the right axis (levels such as open sessions). */
  line(label: string, right = false): Array<number | null> {
    let l = this.lines.get(label);
    if (!l) {
      l = { values: new Array<number | null>(this.buckets).fill(0), ...(right ? { right } : {}) };
      this.lines.set(label, l);
    }
    return l.values;
  }

  /** Add `n` to `label` in the bucket of moment `at`. */
  count(label: string, at: number, n = 1): void {
    const i = this.index(at);
    const values = this.line(label);
    if (i !== undefined) values[i] = (values[i] ?? 0) + n;
  }

  /** The level of `label` in every bucket: `levelAt(end of bucket)`. */
  level(label: string, levelAt: (at: number) => number): void {
    const values = this.line(label, true);
    for (let i = 0; i < this.buckets; i++) values[i] = levelAt(this.origin + (i + 1) * this.bucketMs);
  }

  /** Per-second counts of another clock (seconds since the epoch), spread over the buckets they cover. */
  perSecond(label: string, seconds: ReadonlyArray<{ epochSecond: number; value: number }>, epochAtOrigin: number) {
    const values = this.line(label);
    for (let i = 0; i < this.buckets; i++) {
      const epochSecond = Math.floor((epochAtOrigin + i * this.bucketMs) / 1000);
      values[i] = seconds.find((s) => s.epochSecond === epochSecond)?.value ?? 0;
    }
  }

  mark(at: number, label: string): void {
    this.marks.push({ t: round((at - this.origin) / 1000), label });
  }

  build(): Timeline {
    return {
      bucketMs: this.bucketMs,
      t: Array.from({ length: this.buckets }, (_, i) => round((i * this.bucketMs) / 1000)),
      series: [...this.lines].map(([label, l]) => ({ label, values: l.values, ...(l.right ? { right: true } : {}) })),
      marks: this.marks,
    };
  }

  private index(at: number): number | undefined {
    const i = Math.floor((at - this.origin) / this.bucketMs);
    return i >= 0 && i < this.buckets ? i : undefined;
  }
}

/** Ends of sessions (ms from each one's reference moment) summed up. */
export function summarizeEnds(ends: ReadonlyArray<{ afterMs: number; how: EndHow; code: number }>): EndSummary {
  const sorted = ends.map((e) => e.afterMs).sort((a, b) => a - b);
  const codes: Record<string, number> = {};
  const hows: Partial<Record<EndHow, number>> = {};
  for (const e of ends) {
    codes[e.code] = (codes[e.code] ?? 0) + 1;
    hows[e.how] = (hows[e.how] ?? 0) + 1;
  }
  return {
    count: ends.length,
    ...(sorted.length > 0
      ? {
          firstMs: round(sorted[0]!),
          medianMs: round(sorted[(sorted.length - 1) >> 1]!),
          lastMs: round(sorted.at(-1)!),
        }
      : {}),
    codes,
    hows,
  };
}

/** "after 2.0–2.1 s, no close frame (1006 × 3)": how a group of sessions ended, in words. */
export function endWords(e: EndSummary): string {
  if (e.count === 0) return 'none ended';
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const when = e.firstMs === e.lastMs ? `after ${s(e.firstMs!)} s` : `after ${s(e.firstMs!)}–${s(e.lastMs!)} s`;
  const how = Object.entries(e.hows)
    .map(([h, n]) => `${HOW_WORDS[h as EndHow]}${n === e.count ? '' : ` × ${n}`}`)
    .join(', ');
  const codes = Object.entries(e.codes)
    .map(([c, n]) => `${c} × ${n}`)
    .join(', ');
  return `${when}, ${how} (${codes})`;
}

const HOW_WORDS: Record<EndHow, string> = {
  close_frame: 'close frame',
  no_close_frame: 'no close frame',
  reset: 'TCP reset',
};

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** An outcome count map, without upgrades, as "http_502 × 3, refused × 40". */
export function outcomeWords(outcomes: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(outcomes)
    .filter(([o, n]) => o !== 'upgraded' && n)
    .map(([o, n]) => `${o} × ${n}`)
    .join(', ');
}
