import type { AuthState, Verdict } from './auth.ts';
import type { CapacityResult } from './capacity.ts';
import type { ComparisonResult } from './comparison.ts';
import type { ConformanceResult } from './conformance.ts';
import type { LifecycleResult } from './lifecycle.ts';
import type { LoadResult } from './load.ts';
import type { MergeInfo, RunnerRow, SegmentInfo } from './merge.ts';
import type { MetricValues } from './metrics.ts';
import type { OverheadResult } from './overhead.ts';
import type { SecurityResult } from './security.ts';
import type { SessionSummary } from './session.ts';
import type { ThresholdResult } from './thresholds.ts';
import type { ExitCode } from './verdict.ts';

/**
 * Bump when a field changes meaning or disappears; adding fields does not bump it. Version 2:
 * `load.sets[].phases` is `load.sets[].timings` ("phase" is a part of the run only). Version 3: a
 * held connection's message round trips are session metrics, one name each: `first_echo.*` is
 * `session.first_rtt.*` and `message_rtt.*` is `session.rtt.*` (and `held.firstEcho` / `messageRtt`,
 * `timings.firstEcho` / `message` are `firstRtt` / `rtt`). Readers upgrade older summaries
 * (results/read-summary.ts).
 */
export const SUMMARY_SCHEMA_VERSION = 3;

/**
 * `summary.json`: everything a run measured, the one source every report, gate and history
 * reads. Field names are stable (README "summary.json"). Secrets are masked before writing.
 */
export interface Summary {
  schema: 'wsgate.summary';
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  /** True when the run was interrupted (Ctrl-C, target died): numbers cover what was seen. */
  partial: boolean;
  partialReason?: string;
  tool: { name: 'wsgate'; version: string };
  environment: Environment;
  scenario: { name: string; file: string; hash: string; description?: string };
  run: { id: string; command: string; startedAt: string; endedAt: string; durationMs: number };
  /** This run carried one segment of the scenario (`wsgate run --segment i/N`); absent for a whole run. */
  segment?: SegmentInfo;
  targets: Array<{ name: string; url: string }>;
  credentials: Array<{ name: string; expect: Verdict; authState: AuthState }>;
  conformance?: ConformanceResult;
  /** The session checks after the 101, per target and credential set; absent when none ran. */
  session?: SessionSummary;
  /** Load engine results; absent when the scenario has no load block. */
  load?: LoadResult;
  /** Auth overhead results, one per baseline/auth pair; absent when the scenario has no overhead block. */
  overhead?: OverheadResult[];
  /** What `wsgate capacity` found; absent for other commands. */
  capacity?: CapacityResult;
  /** The measured comparison of gateways (the `compare:` block); absent without one. */
  comparison?: ComparisonResult;
  /** Security probe results; absent when no probe ran. */
  security?: SecurityResult;
  /** Idle, reload, restart, credential and auth-pressure checks (the `lifecycle:` block); absent without one. */
  lifecycle?: LifecycleResult;
  /** The scenario's practical tolerances for `wsgate trend` (fractions, by metric or metric base). */
  trend?: { tolerances: Record<string, number> };
  /** Flat metrics that thresholds read, e.g. `unexpected_outcomes`, `handshake.p95` (ms): see model/metrics.ts. */
  metrics: MetricValues;
  thresholds: ThresholdResult[];
  /** A merged summary (`wsgate merge`, `wsgate import k6`): one row per runner, beside the merged totals. */
  runners?: RunnerRow[];
  /** How a merged summary was put together: segments covered, clocks, warnings. */
  merge?: MergeInfo;
  /**
   * `failures`: every line that made the run fail, fatal ones first. `fatal`: the lines among them that made
   * it "not carried out" (exit 3), so a merge can tell them apart.
   */
  verdict: { passed: boolean; exitCode: ExitCode; failures: string[]; fatal?: string[] };
}

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  gitCommit?: string;
  hostname: string;
}
