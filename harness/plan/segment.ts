import type { SegmentRef } from '../model/merge.ts';
import type { Share } from './arrival-schedule.ts';

/**
 * Segments: one scenario split over N runners (`wsgate run --segment i/N`). Segment i of N takes
 * every N-th scheduled attempt and held connection from the (i-1)-th, the same rule the engine uses
 * for its worker processes, so segments compose with workers exactly: worker w of W in segment i
 * runs the arrivals k with k % (N*W) == (i-1) + N*w, and the segments together run the whole once.
 */

/** The whole schedule: what a run without `--segment` carries. */
export const WHOLE: SegmentRef = { index: 1, of: 1 };

/** Runners one scenario may be split over. */
export const MAX_SEGMENTS = 10_000;

/**
 * `2/3` (the second of three segments), or k6's execution-segment form `1/3:2/3` for the same
 * equal share. Throws with what was expected; wsgate splits into equal segments only.
 */
export function parseSegment(text: string): SegmentRef {
  const t = text.trim();
  const plain = /^(\d+)\/(\d+)$/.exec(t);
  if (plain) return checked(Number(plain[1]), Number(plain[2]), t);
  const k6 = /^([0-9/]+):([0-9/]+)$/.exec(t);
  if (k6) {
    const from = fraction(k6[1]!);
    const to = fraction(k6[2]!);
    if (from !== undefined && to !== undefined && to[0] * from[1] > from[0] * to[1]) {
      // from = a/b, to = c/d: an equal segment i/N has from = (i-1)/N and to = i/N.
      const width = { n: to[0] * from[1] - from[0] * to[1], d: from[1] * to[1] };
      if (width.d % width.n === 0) {
        const of = width.d / width.n;
        const i = (to[0] * of) / to[1];
        if (Number.isInteger(i) && (from[0] * of) / from[1] === i - 1) return checked(i, of, t);
      }
      throw new Error(`"${t}" is not an equal share: wsgate splits a scenario into equal segments, give i/N`);
    }
  }
  throw new Error(`expected a segment such as 2/3 (the second of three) or 1/3:2/3, got "${text}"`);
}

function fraction(text: string): [number, number] | undefined {
  if (text === '0') return [0, 1];
  if (text === '1') return [1, 1];
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) === 0) return undefined;
  return [Number(m[1]), Number(m[2])];
}

function checked(index: number, of: number, text: string): SegmentRef {
  if (of < 1 || of > MAX_SEGMENTS)
    throw new Error(`"${text}": the number of segments must be from 1 to ${MAX_SEGMENTS}`);
  if (index < 1 || index > of)
    throw new Error(`"${text}": segments are counted from 1 to ${of} (the first is 1/${of}, the last ${of}/${of})`);
  return { index, of };
}

/** `2/3`, as users write it. */
export function segmentLabel(s: SegmentRef): string {
  return `${s.index}/${s.of}`;
}

/** The share of the schedule a segment runs, as the engine's Share (0-based). */
export function segmentShare(s: SegmentRef): Share {
  return { index: s.index - 1, of: s.of };
}

/**
 * Worker `worker` of `workers` inside a part of the schedule: every `workers`-th of the part's own
 * arrivals. Exact for any counts: the workers of one part never overlap and leave nothing out.
 */
export function workerShare(part: Share, worker: number, workers: number): Share {
  return { index: part.index + part.of * worker, of: part.of * workers };
}

/** Whether the segment runs the phases that must run once per scenario (conformance, probes, overhead). */
export function isDesignated(s: SegmentRef): boolean {
  return s.index === 1;
}
