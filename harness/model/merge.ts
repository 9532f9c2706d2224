import type { Saturation } from './load.ts';
import type { ExitCode } from './verdict.ts';

/** Segment `index` of `of` (1-based): which share of a scenario's load one runner carries. */
export interface SegmentRef {
  index: number;
  of: number;
}

/**
 * `summary.segment`: this run carried one segment of the scenario (`wsgate run --segment i/N`), to
 * be merged with the other segments' runs by `wsgate merge`.
 */
export interface SegmentInfo extends SegmentRef {
  /** The instant every runner was told to start its schedule at (`--start-at`), when one was given. */
  startAt?: string;
}

/** One runner (a segment run, or one k6 instance's output) in a merged summary. */
export interface RunnerRow {
  /** `2/3` for a wsgate segment; the k6 instance (or file) for an import. */
  label: string;
  segment?: SegmentRef;
  /** Where it came from: the summary.json or k6 output file. */
  source: string;
  host?: string;
  runId?: string;
  /** False when it was left out of the totals (a duplicate or overlapping segment). */
  merged: boolean;
  /** Why it was left out, or what was wrong with it. */
  note?: string;
  partial: boolean;
  exitCode?: ExitCode;
  attempts: number;
  upgrades: number;
  unexpected: number;
  errors: number;
  /** Time to 101 percentiles (ms) of this runner alone. */
  handshake?: { count: number; p50: number; p95: number; p99: number };
  heldPeak?: number;
  /** How this runner's generator fared: start lateness p99, loop delay p99 (ms), busiest core. */
  generator?: { lateP99?: number; loopP99: number; cpu: number };
  saturation?: Saturation['side'];
  /**
   * Second 0 of its schedule by its own clock, and how far from the agreed start its schedule actually
   * began (ms: the origin's distance from `--start-at` plus how late its first tick came).
   */
  clock?: { scheduleStartedAt?: string; startOffsetMs?: number };
}

/** Which segments a merge covered: each of 1..of exactly once, or what went wrong. */
export interface SegmentCoverage {
  of: number;
  /** Segments in the totals (`2/3`). */
  merged: string[];
  missing: string[];
  /** Given more than once: one is merged, the others are left out. */
  duplicate: string[];
  /** Of another segment count than the merge's: they overlap every segment, and are left out. */
  overlapping: string[];
}

/** `summary.merge`: how a merged summary was put together from its runners' parts. */
export interface MergeInfo {
  /** wsgate segment runs (`wsgate merge`) or k6 JSON output (`wsgate import k6`). */
  from: 'wsgate-segments' | 'k6-json';
  coverage?: SegmentCoverage;
  /** How far apart the runners' schedules began, by each runner's own clock. */
  clock: {
    startAt?: string;
    /**
     * Latest minus earliest actual schedule start over the runners (ms), each by its own clock: how far apart
     * they began, as far as their clocks agree (the clocks' own offsets are not measured).
     */
    spreadMs?: number;
    /** The per-second series were aligned on the earliest start; each runner moved by whole seconds. */
    aligned: boolean;
  };
  /** What a person should know about the merge that is not a failure. */
  warnings: string[];
}
