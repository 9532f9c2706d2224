import { readFileSync } from 'node:fs';
import type { AuthState, Verdict } from '../model/auth.ts';
import type { SegmentInfo } from '../model/merge.ts';
import { type Environment, SUMMARY_SCHEMA_VERSION, type Summary } from '../model/summary.ts';
import type { ThresholdResult } from '../model/thresholds.ts';
import { EXIT_CODES, runStatus } from '../model/verdict.ts';
import type { PhasesRecord } from '../run/run.ts';

/** wsgate's own version, as summaries and exports record it. */
export const WSGATE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Everything about a run that is not a phase's result. */
export interface RunFacts {
  scenario: Summary['scenario'];
  command: string;
  runId: string;
  startedAt: Date;
  durationMs: number;
  environment: Environment;
  targets: Array<{ name: string; url: string }>;
  credentials: Array<{ name: string; expect: Verdict; authState: AuthState }>;
  /** Why the run was interrupted (Ctrl-C, the CLI's signal); undefined when it was not. */
  interrupted?: string;
  /** The scenario's practical tolerances for `wsgate trend`. */
  trendTolerances?: Record<string, number>;
  /** The segment this run carried (`--segment i/N`). */
  segment?: SegmentInfo;
}

/**
 * `summary.json` from what the phases produced and how the thresholds were judged: the verdict
 * (every failure and fatal problem, one line each) and its exit code come from model/verdict.ts.
 */
export function assembleSummary(facts: RunFacts, record: PhasesRecord, thresholds: ThresholdResult[]): Summary {
  const fatal = [...record.fatal];
  const failures = [...record.failures];
  const partialReason = facts.interrupted ?? record.partialReason;
  if (facts.interrupted) fatal.push(`run interrupted: ${facts.interrupted}`);
  for (const t of thresholds) {
    if (!t.passed)
      failures.push(
        `threshold ${t.source} ${t.actual === undefined ? 'has no measured value' : `failed: measured ${t.actual}`}`,
      );
  }
  const status = runStatus(fatal, failures);
  return {
    schema: 'wsgate.summary',
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    partial: partialReason !== undefined,
    ...(partialReason !== undefined ? { partialReason } : {}),
    tool: { name: 'wsgate', version: WSGATE_VERSION },
    environment: facts.environment,
    scenario: facts.scenario,
    run: {
      id: facts.runId,
      command: facts.command,
      startedAt: facts.startedAt.toISOString(),
      endedAt: new Date(facts.startedAt.getTime() + facts.durationMs).toISOString(),
      durationMs: facts.durationMs,
    },
    ...(facts.segment ? { segment: facts.segment } : {}),
    targets: facts.targets,
    credentials: facts.credentials,
    ...record.sections,
    ...(facts.trendTolerances ? { trend: { tolerances: facts.trendTolerances } } : {}),
    metrics: record.metrics,
    thresholds,
    verdict: { passed: status === 'passed', exitCode: EXIT_CODES[status], failures: [...fatal, ...failures], fatal },
  };
}
