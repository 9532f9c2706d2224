import { RunError } from '../model/errors.ts';
import type { SegmentRef } from '../model/merge.ts';
import { lookupMetric } from '../model/metrics.ts';
import type { Summary } from '../model/summary.ts';
import type { ExitCode } from '../model/verdict.ts';
import type { CapacityOverrides } from '../plan/capacity.ts';
import { type Command, phasesFor } from '../plan/phases.ts';
import { buildPlan, validateScenario } from '../plan/plan.ts';
import { WHOLE } from '../plan/segment.ts';
import { defaultRunDir, writeRunOutputs, writeStepSummary } from '../report/outputs.ts';
import { consoleSummary } from '../report/text/summary.ts';
import { evaluateThresholds, JUDGED_ON_MERGE } from '../results/gate.ts';
import { assembleSummary } from '../results/summary.ts';
import { environment } from '../run/environment.ts';
import { type ScenarioFixtures, startScenarioFixtures } from '../run/fixtures.ts';
import type { FixtureGatewayControl } from '../run/phase.ts';
import { type PhasesRecord, runPhases } from '../run/run.ts';
import type { Scenario } from '../scenario/read.ts';
import type { Log } from './log.ts';
import { progressLines } from './progress.ts';

export interface RunOptions {
  command: Command;
  /** Output directory; default reports/<scenario>-<timestamp>. */
  outDir?: string;
  reportsRoot?: string;
  log: Log;
  /** Ctrl-C (wired by the CLI) or a test's abort. */
  signal?: AbortSignal;
  /** Fixture URLs already running (tests), instead of starting the scenario's own. */
  fixtureUrls?: Record<string, string>;
  /** `wsgate capacity`'s command-line options. */
  capacity?: CapacityOverrides;
  /** `--trace N`: record the wire of the first N attempts of each target x credential set. */
  trace?: number;
  /** The segment of a split scenario this runner carries (`wsgate run --segment i/N`). */
  segment?: SegmentRef;
  /** When the load's schedule begins, the same instant for every runner (`--start-at`). */
  startAt?: Date;
  /** With `fixtureUrls`: the gateways behind them, by fixture name, for the lifecycle checks (tests). */
  fixtureGateways?: Readonly<Record<string, FixtureGatewayControl>>;
}

export interface RunOutcome {
  summary: Summary;
  exitCode: ExitCode;
  outDir: string;
  files: string[];
}

/**
 * A whole `run` / `check` / `probe`: validate the scenario (exit 2 before anything starts), start
 * its fixtures, plan, run the command's phases, judge thresholds, write outputs, stop fixtures.
 * An interrupted run still writes a partial summary.
 */
export async function executeRun(scenario: Scenario, opts: RunOptions): Promise<RunOutcome> {
  const segment = opts.segment ?? WHOLE;
  const split = segment.of > 1;
  await validateScenario(scenario, { command: opts.command, capacity: opts.capacity, segment });
  const startedAt = new Date();
  const t0 = performance.now();
  const signal = opts.signal ?? new AbortController().signal;
  const outDir =
    opts.outDir ??
    defaultRunDir(opts.reportsRoot ?? 'reports', scenario.doc.name, startedAt) +
      (split ? `-segment-${segment.index}-of-${segment.of}` : '');
  const phases = phasesFor(opts.command, scenario.doc, segment);
  let fixtures: ScenarioFixtures | undefined;
  let record: PhasesRecord = { sections: {}, metrics: {}, failures: [], fatal: [] };
  let targets: Array<{ name: string; url: string }> = [];
  let credentials: Summary['credentials'] = [];
  let thresholds: Summary['thresholds'] = [];
  let trendTolerances: Record<string, number> | undefined;
  try {
    let urls = opts.fixtureUrls ?? {};
    if (!opts.fixtureUrls && scenario.doc.fixtures) {
      fixtures = await startScenarioFixtures(scenario.doc.fixtures).catch((err: Error) => {
        throw new RunError('fixtures_failed', `the scenario's fixtures could not start: ${err.message}`);
      });
      urls = fixtures.urls;
      opts.log.info(
        `fixtures: ${Object.entries(urls)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    }
    const plan = await buildPlan(scenario, urls, {
      command: opts.command,
      capacity: opts.capacity,
      trace: opts.trace,
      segment,
    });
    targets = plan.targets.map((t) => ({ name: t.name, url: t.url }));
    trendTolerances = plan.trendTolerances;
    credentials = plan.credentials.map((c) => ({ name: c.name, expect: c.expect, authState: c.authState }));
    const started = fixtures;
    const fixtureGateways = started?.gateways ?? opts.fixtureGateways;
    record = await runPhases(plan, {
      phases,
      signal,
      events: progressLines(opts.log),
      ...(started ? { targetProcesses: () => started.processIds() } : {}),
      ...(opts.startAt ? { startAt: opts.startAt } : {}),
      ...(fixtureGateways ? { fixtureGateways } : {}),
    });
    const wholeRunPhases = phasesFor(opts.command, scenario.doc);
    thresholds = evaluateThresholds(plan.thresholds, split ? {} : record.metrics, (t) => {
      const measuredBy = lookupMetric(t.metric)?.def.phases ?? [];
      if (measuredBy.some((p) => wholeRunPhases.includes(p))) return split ? JUDGED_ON_MERGE : undefined;
      return `\`wsgate ${opts.command}\` does not run ${measuredBy.join(' or ')}, which measures ${t.metric}`;
    });
  } finally {
    await fixtures?.stop().catch((err: Error) => opts.log.warn(`stopping fixtures: ${err.message}`));
  }
  const summary = assembleSummary(
    {
      scenario: {
        name: scenario.doc.name,
        file: scenario.file,
        hash: scenario.hash,
        description: scenario.doc.description,
      },
      command: opts.command,
      runId: outDir.split(/[\\/]/).pop() ?? scenario.doc.name,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      environment: environment(),
      targets,
      credentials,
      interrupted: signal.aborted ? String(signal.reason ?? 'interrupted') : undefined,
      trendTolerances,
      ...(opts.segment
        ? { segment: { ...segment, ...(opts.startAt ? { startAt: opts.startAt.toISOString() } : {}) } }
        : {}),
    },
    record,
    thresholds,
  );
  const files = writeRunOutputs(outDir, summary, scenario.secrets);
  writeStepSummary(summary, scenario.secrets);
  opts.log.result(consoleSummary(summary, outDir));
  return { summary, exitCode: summary.verdict.exitCode, outDir, files };
}
