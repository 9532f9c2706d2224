import type { EncodedHistogram } from './histogram.ts';

/**
 * `summary.overhead`: what authorization adds to the WebSocket upgrade, measured against a
 * baseline route, with bootstrap confidence intervals and a decomposition into auth-service
 * latency and what the gateway adds on top. Durations are milliseconds unless a field says
 * otherwise. The HTML report and history read this shape; add fields, don't repurpose them.
 */

/** The percentiles overhead is reported at (and `overhead.p50` … `overhead.p99` thresholds name). */
export const OVERHEAD_PERCENTILES = [50, 90, 95, 99] as const;
export type OverheadPercentile = (typeof OVERHEAD_PERCENTILES)[number];
/** `p50`, `p90`, `p95`, `p99`: the keys used in every percentile record below. */
export type PercentileKey = `p${OverheadPercentile}`;

export type Percentiles = Record<PercentileKey, number>;

/** One side (baseline or auth) of the comparison. */
export interface OverheadSide {
  /** Target name from the scenario. */
  target: string;
  /** Resolved URL with the credential's path (never its query: that may hold an API key). */
  url: string;
  /** Counted attempts (warm-up excluded). */
  attempts: number;
  /** Attempts that upgraded: only these have a handshake latency. */
  upgraded: number;
  /** Outcome counts of counted attempts (`upgraded`, `http_401`, `refused`, …). */
  outcomes: Record<string, number>;
  /**
   * Handshake latency of upgraded attempts, computed exactly from the recorded values (not from the histogram); NaN
   * (null in JSON) when none upgraded.
   */
  percentiles: Percentiles & { min: number; max: number; mean: number };
  /** The same latencies as an HDR histogram, for plots and merging across runs. */
  histogram: EncodedHistogram;
  /** Handshake latency per round (median), in round order: shows drift and how interleaving met it. */
  roundMedians: number[];
}

/** auth minus baseline at one percentile, with its bootstrap confidence interval. */
export interface OverheadDifference {
  percentile: OverheadPercentile;
  /** Point estimate: auth percentile minus baseline percentile over all counted attempts. */
  diff: number;
  /** Lower and upper bounds of the confidence interval (percentile bootstrap). */
  ciLow: number;
  ciHigh: number;
  /** ciHigh - ciLow: how much the number can be trusted. */
  ciWidth: number;
}

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
  load: { model: 'concurrency'; concurrency: number } | { model: 'rate'; ratePerSec: number };
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
