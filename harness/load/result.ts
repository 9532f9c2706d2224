import type { LatencySummary } from '../metrics/histogram.ts';
import type { Outcome } from '../outcome/outcome.ts';

/** One target x credential set under load. */
export interface LoadSetResult {
  target: string;
  credential: string;
  expected: Outcome[];
  attempts: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Attempts whose outcome was not among `expected`. */
  unexpected: number;
  /** Time to the complete response head, from the attempt's scheduled start (upgraded and denied alike). */
  response?: LatencySummary;
}

/** One second of the run. */
export interface LoadSecond {
  t: number;
  attempts: number;
  upgrades: number;
  /** Attempts that ended without an HTTP answer (refused, reset, timeouts, …). */
  errors: number;
  /** Attempts open at the end of the second. */
  open: number;
}

/** `summary.load`: what the load phase measured (single process for now; workers come later). */
export interface LoadResult {
  model: 'arrival-rate';
  stages: Array<{ fromRate: number; toRate: number; durationMs: number }>;
  scheduled: number;
  attempts: number;
  /** Scheduled attempts not started because maxInFlight attempts were open. */
  skippedMaxInFlight: number;
  upgrades: number;
  unexpected: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Time to the complete 101 head from the scheduled start: what `handshake.*` thresholds read. */
  handshake?: LatencySummary;
  /** The same from the moment the request was actually sent (hides queueing; kept for comparison). */
  handshakeSinceSend?: LatencySummary;
  connect?: LatencySummary;
  sets: LoadSetResult[];
  series: LoadSecond[];
  durationMs: number;
  partial: boolean;
  stoppedBecause?: string;
  workers: number;
}
