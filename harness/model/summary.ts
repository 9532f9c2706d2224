import type { AuthState, Verdict } from './auth.ts';
import type { CapacityResult } from './capacity.ts';
import type { ComparisonResult } from './comparison.ts';
import type { ConformanceResult } from './conformance.ts';
import type { LifecycleResult } from './lifecycle.ts';
import type { LoadResult } from './load.ts';
import type { MetricValues } from './metrics.ts';
import type { OverheadResult } from './overhead.ts';
import type { SecurityResult } from './security.ts';
import type { ThresholdResult } from './thresholds.ts';
import type { ExitCode } from './verdict.ts';

/**
 * Bump when a field changes meaning or disappears; adding fields does not bump it. Version 2:
 * `load.sets[].phases` is `load.sets[].timings` ("phase" is a part of the run only).
 * Readers upgrade older summaries (results/read-summary.ts).
 */
export const SUMMARY_SCHEMA_VERSION = 2;

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
  targets: Array<{ name: string; url: string }>;
  credentials: Array<{ name: string; expect: Verdict; authState: AuthState }>;
  conformance?: ConformanceResult;
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
  verdict: { passed: boolean; exitCode: ExitCode; failures: string[] };
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
