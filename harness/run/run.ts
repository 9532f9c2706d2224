import { readFileSync } from 'node:fs';
import { evaluateThresholds } from '../plan/thresholds.ts';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, type ExitCode } from '../cli/exit-codes.ts';
import { authControlFor } from '../client/auth-control.ts';
import { buildPlan, type Plan } from '../plan/plan.ts';
import { environment } from './environment.ts';
import { SUMMARY_SCHEMA_VERSION, type Summary } from '../model/summary.ts';
import { defaultRunDir, writeRunOutputs, writeStepSummary } from '../report/outputs.ts';
import type { LoadedScenario } from '../scenario/read.ts';
import { startScenarioFixtures, type ScenarioFixtures } from './fixtures.ts';
import type { Log } from '../cli/log.ts';
import { PHASES, type Command, type RunContext } from './phase.ts';
import { consoleSummary } from '../report/text/summary.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunOptions {
  command: Command;
  /** Output directory; default reports/<scenario>-<timestamp>. */
  outDir?: string;
  reportsRoot?: string;
  log: Log;
  /** External abort (tests); Ctrl-C is wired by the CLI. */
  signal?: AbortSignal;
  /** Fixture URLs already running (tests), instead of starting the scenario's own. */
  fixtureUrls?: Record<string, string>;
}

export interface RunOutcome {
  summary: Summary;
  exitCode: ExitCode;
  outDir: string;
  files: string[];
}

/**
 * A whole run: start fixtures if the scenario asks, plan, run each enabled phase, judge
 * thresholds, write outputs, stop fixtures. Interrupted runs still write a partial summary.
 */
export async function executeRun(scenario: LoadedScenario, opts: RunOptions): Promise<RunOutcome> {
  const started = new Date();
  const t0 = performance.now();
  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  let fixtures: ScenarioFixtures | undefined;
  let plan: Plan;
  const summary: Summary = {
    schema: 'wsgate.summary',
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    partial: false,
    tool: { name: 'wsgate', version: VERSION },
    environment: environment(),
    scenario: { name: scenario.doc.name, file: scenario.file, hash: scenario.hash, description: scenario.doc.description },
    run: { id: '', command: opts.command, startedAt: started.toISOString(), endedAt: '', durationMs: 0 },
    targets: [],
    credentials: [],
    metrics: {},
    thresholds: [],
    verdict: { passed: false, exitCode: EXIT_UNREACHABLE, failures: [] },
  };
  const outDir = opts.outDir ?? defaultRunDir(opts.reportsRoot ?? 'reports', scenario.doc.name, started);
  summary.run.id = outDir.split(/[\\/]/).pop() ?? scenario.doc.name;
  const ctx: Omit<RunContext, 'plan'> = { summary, signal: abort.signal, log: opts.log, fatal: [], failures: [] };

  try {
    let urls = opts.fixtureUrls ?? {};
    if (!opts.fixtureUrls && scenario.doc.fixtures) {
      fixtures = await startScenarioFixtures(scenario.doc.fixtures).catch((err: Error) => {
        throw new CliError(`the scenario's fixtures could not start: ${err.message}`, EXIT_UNREACHABLE);
      });
      urls = fixtures.urls;
      opts.log.info(`fixtures: ${Object.entries(urls).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    plan = await buildPlan(scenario, urls);
    summary.targets = plan.targets.map((t) => ({ name: t.name, url: t.url }));
    summary.credentials = plan.credentials.map((c) => ({ name: c.name, expect: c.expect, authState: c.authState }));
    const runCtx: RunContext = { ...ctx, plan, authControl: authControlFor(scenario.doc, urls) };
    // Decided (and each phase's block validated) before the first phase runs, so a bad block is
    // invalid input (exit 2, nothing written) rather than a failure after minutes of conformance.
    const active = PHASES.filter((phase) => phase.enabled(plan, opts.command));
    for (const phase of active) {
      if (abort.signal.aborted) break;
      try {
        await phase.run(runCtx);
      } catch (err) {
        ctx.fatal.push(`${phase.name} could not be carried out: ${(err as Error).message}`);
        break;
      }
    }
    const skippedPhases = PHASES.filter((p) => !active.includes(p));
    summary.thresholds = evaluateThresholds(plan.thresholds, summary.metrics, (metric) => {
      const measuredBy = PHASES.filter((p) => p.metrics?.test(metric));
      if (measuredBy.length === 0 || !measuredBy.every((p) => skippedPhases.includes(p))) return undefined;
      return `\`wsgate ${opts.command}\` does not run ${measuredBy.map((p) => p.name).join(' or ')}, which measures ${metric}`;
    });
  } finally {
    await fixtures?.stop().catch((err: Error) => opts.log.warn(`stopping fixtures: ${err.message}`));
    opts.signal?.removeEventListener('abort', onAbort);
  }

  if (abort.signal.aborted) {
    summary.partial = true;
    summary.partialReason = String(abort.signal.reason ?? 'interrupted');
    ctx.fatal.push(`run interrupted: ${summary.partialReason}`);
  }
  for (const t of summary.thresholds) {
    if (!t.passed) ctx.failures.push(`threshold ${t.source} ${t.actual === undefined ? 'has no measured value' : `failed: measured ${t.actual}`}`);
  }
  const exitCode: ExitCode = ctx.fatal.length > 0 ? EXIT_UNREACHABLE : ctx.failures.length > 0 ? EXIT_FAILED : EXIT_OK;
  summary.verdict = { passed: exitCode === EXIT_OK, exitCode, failures: [...ctx.fatal, ...ctx.failures] };
  summary.run.endedAt = new Date().toISOString();
  summary.run.durationMs = Math.round(performance.now() - t0);

  const files = writeRunOutputs(outDir, summary, scenario.secrets);
  writeStepSummary(summary, scenario.secrets);
  opts.log.result(consoleSummary(summary, outDir));
  return { summary, exitCode, outDir, files };
}
