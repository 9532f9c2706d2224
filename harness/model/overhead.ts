import {
  type AttemptLoad,
  MEASURED_PERCENTILES,
  type MeasuredDifference,
  type MeasuredPercentile,
  type MeasuredSide,
  type Percentiles,
} from './measured.ts';

export type { Percentiles } from './measured.ts';
/** The percentiles overhead is reported at (and `overhead.p50` … `overhead.p99` thresholds name). */
export const OVERHEAD_PERCENTILES = MEASURED_PERCENTILES;
export type OverheadPercentile = MeasuredPercentile;

/**
 * `summary.overhead`: what authorization adds to the WebSocket upgrade, measured against a
 * baseline route, with bootstrap confidence intervals and a decomposition into auth-service
 * latency and what the gateway adds on top. Durations are milliseconds unless a field says
 * otherwise. The HTML report and history read this shape; add fields, don't repurpose them.
 */

/** One side (baseline or auth) of the overhead measurement. */
export type OverheadSide = MeasuredSide;

/** auth minus baseline at one percentile, with its bootstrap confidence interval. */
export type OverheadDifference = MeasuredDifference;

/** How the numbers were obtained, written out so a reader can judge them. */
export interface OverheadMethod {
  /** One paragraph a report can print as is. */
  description: string;
  /** Baseline and auth rounds alternate (B, A, B, A, …), so machine drift hits both sides alike. */
  interleaving: 'alternating-rounds';
  rounds: number;
  attemptsPerRound: number;
  /** Attempts per side run before the first round and not counted (connection setup, JIT, caches). */
  warmupAttempts: number;
  /** Closed model (`concurrency` attempts in flight) or open model (`rate` attempts/s started on a schedule). */
  load: AttemptLoad;
  /**
   * What a latency is measured from: the attempt's scheduled start (open model: its slot in the
   * arrival schedule; closed model: the moment a slot freed), so harness stalls are counted, not hidden.
   */
  latencyFrom: 'scheduled-start';
  /** Latency ends at the complete 101 response head. */
  latencyTo: 'upgrade-complete';
  bootstrap: {
    resamples: number;
    confidence: number;
    seed: number;
    /** What is resampled: whole rounds, each with its baseline and auth half (pairs keep the drift they share). */
    unit: 'paired-rounds';
    interval: 'percentile';
  };
  /**
   * `overhead.pNN` thresholds compare the upper bound of the interval, so a pass means "overhead is below X with 95%
   * confidence".
   */
  thresholdsJudge: 'ciHigh';
}

/** Auth-service latency measured directly with autocannon, against the same credentials and concurrency. */
export interface AutocannonMeasurement {
  /** Authorization URL benchmarked (query parameters masked like every secret in outputs). */
  url: string;
  /**
   * Keep-alive connections: the closed model's concurrency; in the open model the most used in a round (rate x mean
   * auth-side latency).
   */
  connections: number;
  requests: number;
  /** Responses by status code. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Per-request latency (ms, microsecond precision taken from autocannon's per-response times). */
  percentiles: Percentiles & { min: number; max: number; mean: number };
}

/** Server-Timing `auth;dur=` values the gateway reported on counted auth-side attempts. */
export interface ServerTimingAuth {
  samples: number;
  percentiles: Percentiles;
}

/** Per percentile: total overhead, auth service's own part, what the gateway adds on top. */
export interface OverheadSplit {
  percentile: OverheadPercentile;
  /** The measured overhead (difference point estimate). */
  total: number;
  /** Auth-service latency at the same percentile (autocannon). */
  authService: number;
  /**
   * total - authService: the gateway's own cost of calling out (connection handling, parsing, forwarding). May be
   * negative within noise.
   */
  gatewayAdded: number;
}

export interface OverheadDecomposition {
  /** Absent when decomposition was turned off or autocannon could not run (see `problem`). */
  autocannon?: AutocannonMeasurement;
  /** Present when the auth target answered with a Server-Timing `auth;dur=` header. */
  serverTiming?: ServerTimingAuth;
  split: OverheadSplit[];
  /**
   * Server-Timing p50 versus autocannon p50: both measure the auth call, from the gateway's and
   * from outside. `agrees` when they are within max(1 ms, 50%) of each other.
   */
  crossCheck?: { serverTimingP50: number; autocannonP50: number; difference: number; agrees: boolean };
  problem?: string;
}

export interface OverheadResult {
  baseline: OverheadSide;
  auth: OverheadSide;
  /** Credential set used on both sides. */
  credential: string;
  differences: OverheadDifference[];
  method: OverheadMethod;
  decomposition?: OverheadDecomposition;
  /** True when the run was interrupted: the numbers cover the rounds completed. */
  partial: boolean;
  /** Rounds fully completed (both halves). */
  roundsCompleted: number;
  /** Why the measurement stopped early or cannot be trusted (e.g. a side stopped upgrading). */
  problem?: string;
  durationMs: number;
}
