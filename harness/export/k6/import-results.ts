import { basename } from 'node:path';
import { LatencyRecorder } from '../../metrics/latency-recorder.ts';
import type { CheckResult, ConformanceResult } from '../../model/conformance.ts';
import type { LoadResult, LoadSecond, LoadSetResult } from '../../model/load.ts';
import type { MergeInfo, RunnerRow } from '../../model/merge.ts';
import { lookupMetric, type MetricBase } from '../../model/metrics.ts';
import type { Outcome } from '../../model/outcome.ts';
import type { Environment, Summary } from '../../model/summary.ts';
import type { Threshold } from '../../model/thresholds.ts';
import { describeExpected, describeSeen, expectedOutcomes } from '../../outcome/expected.ts';
import { scheduledCount, stagesOf } from '../../plan/arrival-schedule.ts';
import { parseThreshold } from '../../plan/thresholds.ts';
import { evaluateThresholds } from '../../results/gate.ts';
import { MergeInputError } from '../../results/merge-parts.ts';
import { loadRow } from '../../results/runner-row.ts';
import { assembleSummary } from '../../results/summary.ts';
import type { PhaseOutput } from '../../run/phase.ts';
import { judgeConformance } from '../../run/phases/conformance.ts';
import { judgeLoad } from '../../run/phases/load.ts';
import { addMetrics, type PhasesRecord } from '../../run/run.ts';
import type { Scenario } from '../../scenario/read.ts';
import { type K6Point, readK6Json } from './json-output.ts';
import { K6_HANDSHAKE_TREND, K6_UNEXPECTED_COUNTER } from './thresholds.ts';

/**
 * `wsgate import k6`: the JSON output of every k6 instance that ran an exported scenario (k6-operator
 * runners), merged into one wsgate summary and judged once against the scenario's thresholds, the
 * gate k6-operator lacks. Built from the script's own metrics (`wsgate_handshake`,
 * `wsgate_unexpected_outcomes`, its checks) and k6's (`ws_sessions` by `status` tag, `ws_connecting`,
 * `ws_session_duration`, `dropped_iterations`), into HDR histograms and counters: memory holds the
 * histograms, one entry per target x credential set and one per second, whatever the files' size.
 */

/** The exported script's conformance scenario (export/k6/script.ts names it so). */
const CONFORMANCE = 'conformance';

/** Metrics this import measures; a threshold on any other is skipped, with the reason. */
const MEASURED: ReadonlySet<MetricBase> = new Set<MetricBase>([
  'unexpected_outcomes',
  'checks_passed',
  'checks_failed',
  'checks_not_run',
  'handshake',
  'attempts',
  'upgrades',
  'errors',
  'attempt_rate',
  'upgrade_rate',
  'error_rate',
]);

/** Distinct check names kept at most (the exported script has two per target x set). */
const MAX_CHECK_NAMES = 10_000;

interface SetAcc {
  target: string;
  credential: string;
  expected: Outcome[];
  attempts: number;
  outcomes: Partial<Record<Outcome, number>>;
  unexpected: number;
  response: LatencyRecorder;
  upgrade: LatencyRecorder;
}

interface FileAcc {
  file: string;
  instance?: string;
  runIds: Set<string>;
  attempts: number;
  upgrades: number;
  errors: number;
  unexpected: number;
  handshake: LatencyRecorder;
  firstLoadMs?: number;
  truncated?: string;
}

/** `101` -> upgraded, `401` -> http_401, no status (no HTTP answer) -> network_error. */
export function outcomeOfStatus(status: string | undefined): Outcome {
  if (status === undefined || status === '' || !/^[1-5][0-9][0-9]$/.test(status)) return 'network_error';
  return status === '101' ? 'upgraded' : `http_${Number(status)}`;
}

/** Merge k6 JSON output files of one exported scenario into a judged summary. */
export async function importK6(
  scenario: Scenario,
  files: readonly string[],
  opts: { runId: string; environment: Environment },
): Promise<Summary> {
  const doc = scenario.doc;
  const targets = doc.targets.filter((t) => !t.baseline);
  const statusMaps = new Map(
    targets.map((t) => [
      t.name,
      new Map(Object.entries(t.statusMap ?? {}).map(([v, s]) => [Number(v), Array.isArray(s) ? s : [s]])),
    ]),
  );
  const sets = new Map<string, SetAcc>();
  for (const t of targets)
    for (const c of doc.credentials)
      sets.set(`${t.name}\0${c.name}`, {
        target: t.name,
        credential: c.name,
        expected: expectedOutcomes({ statusMap: statusMaps.get(t.name)! }, c.expect),
        attempts: 0,
        outcomes: {},
        unexpected: 0,
        response: new LatencyRecorder(),
        upgrade: new LatencyRecorder(),
      });
  const handshake = new LatencyRecorder();
  const seconds = new Map<number, LoadSecond & { openDelta: number }>();
  const conformanceSeen = new Map<string, Partial<Record<Outcome, number>>>();
  const checks = new Map<string, { passed: number; failed: number }>();
  let conformanceUnexpected = 0;
  let scriptUnexpected = 0;
  let dropped = 0;
  let foreign = 0;
  let untracked = 0;
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  let lastLoadMs = Number.NEGATIVE_INFINITY;
  const perFile: FileAcc[] = [];
  const warnings: string[] = [];
  try {
    /** One sample into the totals, its set's histograms, its second and its file's row. */
    const onPoint = (p: K6Point, acc: FileAcc): void => {
      firstMs = Math.min(firstMs, p.timeMs);
      lastMs = Math.max(lastMs, p.timeMs);
      const tags = p.tags;
      if (tags.instance_id !== undefined) acc.instance ??= tags.instance_id;
      const runId = tags.testid ?? tags.testrun_name;
      if (runId !== undefined) acc.runIds.add(runId);
      const inConformance = tags.scenario === CONFORMANCE;
      const key =
        tags.target !== undefined && tags.credential !== undefined ? `${tags.target}\0${tags.credential}` : '';
      const set = sets.get(key);
      switch (p.metric) {
        case 'ws_sessions': {
          if (!set) {
            foreign++;
            return;
          }
          const outcome = outcomeOfStatus(tags.status);
          const expected = set.expected.includes(outcome);
          if (inConformance) {
            const seen = conformanceSeen.get(key) ?? {};
            seen[outcome] = (seen[outcome] ?? 0) + 1;
            conformanceSeen.set(key, seen);
            if (!expected) conformanceUnexpected++;
            return;
          }
          set.attempts++;
          set.outcomes[outcome] = (set.outcomes[outcome] ?? 0) + 1;
          acc.attempts++;
          acc.firstLoadMs = Math.min(acc.firstLoadMs ?? p.timeMs, p.timeMs);
          lastLoadMs = Math.max(lastLoadMs, p.timeMs);
          const second = secondAt(p.timeMs);
          second.attempts++;
          if (!expected) {
            set.unexpected++;
            acc.unexpected++;
          }
          if (outcome === 'upgraded') {
            acc.upgrades++;
            second.upgrades++;
            second.openDelta++;
          } else if (outcome === 'network_error') {
            acc.errors++;
            second.errors++;
          }
          return;
        }
        case 'ws_session_duration':
          if (set && !inConformance && tags.status === '101') secondAt(p.timeMs).openDelta--;
          return;
        case 'ws_connecting':
          if (set && !inConformance) set.response.record(p.value);
          return;
        case K6_HANDSHAKE_TREND:
          if (set && !inConformance) {
            handshake.record(p.value);
            set.upgrade.record(p.value);
            acc.handshake.record(p.value);
          }
          return;
        case K6_UNEXPECTED_COUNTER:
          scriptUnexpected += p.value;
          return;
        case 'checks': {
          if (!inConformance || tags.check === undefined) return;
          let c = checks.get(tags.check);
          if (!c) {
            if (checks.size >= MAX_CHECK_NAMES) {
              untracked++;
              return;
            }
            c = { passed: 0, failed: 0 };
            checks.set(tags.check, c);
          }
          if (p.value > 0) c.passed++;
          else c.failed++;
          return;
        }
        case 'dropped_iterations':
          if (!inConformance) dropped += p.value;
          return;
      }
    };

    for (const file of files) {
      const acc: FileAcc = {
        file,
        runIds: new Set(),
        attempts: 0,
        upgrades: 0,
        errors: 0,
        unexpected: 0,
        handshake: new LatencyRecorder(),
      };
      perFile.push(acc);
      const read = await readK6Json(file, (p) => onPoint(p, acc));
      if (read.truncated) acc.truncated = read.truncated;
      if (read.points === 0) warnings.push(`${file}: no samples`);
    }
    checkInstances(perFile);

    if (foreign > 0)
      warnings.push(
        `${foreign} ws_sessions samples carry no target and credential set of this scenario (not from its exported ` +
          'script, or another scenario): left out',
      );
    if (untracked > 0) warnings.push(`${untracked} check samples past ${MAX_CHECK_NAMES} distinct names: left out`);

    const conformance = conformanceSeen.size > 0 || checks.size > 0 ? conformanceResult() : undefined;
    const hasLoad = [...sets.values()].some((s) => s.attempts > 0);
    const load = hasLoad ? loadResult() : undefined;
    const computedUnexpected = conformanceUnexpected + (load?.unexpected ?? 0);
    if (scriptUnexpected !== computedUnexpected)
      warnings.push(
        `the script's ${K6_UNEXPECTED_COUNTER} counted ${scriptUnexpected}, the statuses in ws_sessions ` +
          `${computedUnexpected}: the report counts the statuses`,
      );

    const record: PhasesRecord = { sections: {}, metrics: {}, failures: [], fatal: [] };
    const take = (out: PhaseOutput) => {
      addMetrics(record.metrics, out.metrics);
      record.failures.push(...out.failures);
      record.fatal.push(...out.fatal);
    };
    if (conformance) {
      record.sections.conformance = conformance;
      take(judgeConformance(conformance));
    }
    if (load) {
      record.sections.load = load;
      take(judgeLoad(load, { onSaturation: 'warn', interrupted: false }));
    }
    const cut = perFile.filter((f) => f.truncated);
    for (const f of cut) record.fatal.push(`k6 output ${f.file}: ${f.truncated}; the samples after it are lost`);
    if (cut.length > 0) record.partialReason = `${cut.length} k6 output file(s) end cut off`;
    if (!conformance && !load)
      record.fatal.push('the k6 output holds no ws_sessions sample of this scenario: nothing to judge');

    const thresholds = evaluateThresholds(thresholdsOf(scenario), record.metrics, (t) => {
      const ref = lookupMetric(t.metric);
      if (ref && MEASURED.has(ref.base)) return undefined;
      return `k6's JSON output does not carry ${t.metric} (wsgate import k6 measures ${[...MEASURED].join(', ')})`;
    });
    const startedAt = Number.isFinite(firstMs) ? firstMs : Date.now();
    const summary = assembleSummary(
      {
        scenario: { name: doc.name, file: scenario.file, hash: scenario.hash, description: doc.description },
        command: 'import k6',
        runId: opts.runId,
        startedAt: new Date(startedAt),
        durationMs: Number.isFinite(lastMs) ? Math.round(lastMs - startedAt) : 0,
        environment: opts.environment,
        targets: targets.map((t) => ({ name: t.name, url: t.url })),
        credentials: doc.credentials.map((c) => ({ name: c.name, expect: c.expect, authState: c.authService ?? 'ok' })),
      },
      record,
      thresholds,
    );
    const firsts = perFile.flatMap((f) => (f.firstLoadMs !== undefined ? [f.firstLoadMs] : []));
    const earliest = firsts.length > 0 ? Math.min(...firsts) : undefined;
    const runners: RunnerRow[] = perFile.map((f) =>
      loadRow(
        {
          label: f.instance !== undefined ? `instance ${f.instance}` : basename(f.file),
          source: f.file,
          merged: true,
          partial: f.truncated !== undefined,
          ...(f.truncated ? { note: f.truncated } : {}),
          ...(f.firstLoadMs !== undefined && earliest !== undefined
            ? {
                clock: {
                  scheduleStartedAt: new Date(f.firstLoadMs).toISOString(),
                  startOffsetMs: round3(f.firstLoadMs - earliest),
                },
              }
            : {}),
        },
        fileLoad(f),
      ),
    );
    const merge: MergeInfo = {
      from: 'k6-json',
      clock: {
        ...(firsts.length > 1 ? { spreadMs: round3(Math.max(...firsts) - Math.min(...firsts)) } : {}),
        aligned: true,
      },
      warnings,
    };
    return { ...summary, runners, merge };
  } finally {
    handshake.destroy();
    for (const s of sets.values()) {
      s.response.destroy();
      s.upgrade.destroy();
    }
    for (const f of perFile) f.handshake.destroy();
  }

  function secondAt(timeMs: number): LoadSecond & { openDelta: number } {
    const key = Math.floor(timeMs / 1000);
    let s = seconds.get(key);
    if (!s) {
      s = { t: key, attempts: 0, upgrades: 0, errors: 0, open: 0, openDelta: 0 };
      seconds.set(key, s);
    }
    return s;
  }

  /** Each target x credential set once, as wsgate check judges it, from the conformance scenario's samples. */
  function conformanceResult(): ConformanceResult {
    const out: CheckResult[] = [];
    for (const t of targets) {
      for (const c of doc.credentials) {
        const key = `${t.name}\0${c.name}`;
        const set = sets.get(key)!;
        const base = {
          target: t.name,
          credential: c.name,
          verdict: c.expect,
          expected: set.expected,
          authState: c.authService ?? 'ok',
          backend: { checked: false, reached: null },
        } as const;
        const seen = conformanceSeen.get(key);
        if ((c.authService ?? 'ok') !== 'ok') {
          out.push({
            ...base,
            status: 'not_run',
            reasons: [`k6 cannot put the auth service in state "${c.authService}" (the set was not exported)`],
          });
          continue;
        }
        if (!seen) {
          out.push({ ...base, status: 'not_run', reasons: ['the k6 output holds no conformance attempt for it'] });
          continue;
        }
        const reasons: string[] = [];
        const outcomes = Object.keys(seen) as Outcome[];
        // The worst of what was seen: an outcome that was not expected, if any.
        const shown = outcomes.find((o) => !set.expected.includes(o)) ?? outcomes[0]!;
        for (const o of outcomes)
          if (!set.expected.includes(o))
            reasons.push(`saw ${describeSeen(o)}, expected ${describeExpected(set.expected, c.expect)}`);
        for (const [name, n] of checks)
          if (name.startsWith(`${c.name} via ${t.name}: `) && n.failed > 0)
            reasons.push(`k6 check "${name}" failed ${n.failed} of ${n.passed + n.failed} times`);
        out.push({ ...base, seen: shown, status: reasons.length > 0 ? 'failed' : 'passed', reasons });
      }
    }
    return {
      checks: out,
      passed: out.filter((k) => k.status === 'passed').length,
      failed: out.filter((k) => k.status === 'failed').length,
      notRun: out.filter((k) => k.status === 'not_run').length,
      unexpectedOutcomes: conformanceUnexpected,
      unreachableTargets: [],
    };
  }

  /** The load scenarios' samples as wsgate's load result, seconds counted from the earliest. */
  function loadResult(): LoadResult {
    const setResults: LoadSetResult[] = [];
    const outcomes: Partial<Record<Outcome, number>> = {};
    let attempts = 0;
    let unexpected = 0;
    for (const s of sets.values()) {
      if (s.attempts === 0) continue;
      attempts += s.attempts;
      unexpected += s.unexpected;
      for (const [o, n] of Object.entries(s.outcomes) as Array<[Outcome, number]>) outcomes[o] = (outcomes[o] ?? 0) + n;
      const response = s.response.summary();
      const upgrade = s.upgrade.summary();
      setResults.push({
        target: s.target,
        credential: s.credential,
        expected: s.expected,
        attempts: s.attempts,
        outcomes: s.outcomes,
        unexpected: s.unexpected,
        ...(response ? { response } : {}),
        timings: upgrade ? { upgrade } : {},
      });
    }
    const keys = [...seconds.keys()].sort((a, b) => a - b);
    const first = keys[0]!;
    let open = 0;
    const series: LoadSecond[] = keys.map((k) => {
      const { openDelta, ...s } = seconds.get(k)!;
      open += openDelta;
      return { ...s, t: k - first, open: Math.max(0, open) };
    });
    const stages = stagesOf(doc.load?.arrivalRate ?? []);
    const held = doc.load?.connections?.count ?? 0;
    const handshakeSummary = handshake.summary();
    return {
      model: held > 0 ? (stages.length > 0 ? 'arrival-rate+connections' : 'connections') : 'arrival-rate',
      stages,
      scheduled: scheduledCount(stages) + held,
      attempts,
      // k6's arrival-rate executor drops an iteration when no VU is free: wsgate's skip at maxInFlight.
      skippedMaxInFlight: dropped,
      upgrades: outcomes.upgraded ?? 0,
      unexpected,
      outcomes,
      ...(handshakeSummary ? { handshake: handshakeSummary } : {}),
      sets: setResults,
      series,
      startedAt: new Date(first * 1000).toISOString(),
      durationMs: Math.max(1000, Math.round(lastLoadMs - first * 1000)),
      partial: perFile.some((f) => f.truncated),
      workers: perFile.length,
      sourceAddresses: [],
    };
  }
}

/** One file's own numbers, for its runner row. */
function fileLoad(f: FileAcc): LoadResult {
  const h = f.handshake.summary();
  return {
    model: 'arrival-rate',
    stages: [],
    scheduled: 0,
    attempts: f.attempts,
    skippedMaxInFlight: 0,
    upgrades: f.upgrades,
    unexpected: f.unexpected,
    outcomes: {},
    ...(h ? { handshake: h } : {}),
    sets: [],
    series: [{ t: 0, attempts: f.attempts, upgrades: f.upgrades, errors: f.errors, open: 0 }],
    durationMs: 0,
    partial: f.truncated !== undefined,
    workers: 1,
    sourceAddresses: [],
  };
}

/** Files of two test runs, or one instance given twice, would count samples twice: invalid input. */
function checkInstances(files: readonly FileAcc[]): void {
  const runIds = new Set(files.flatMap((f) => [...f.runIds]));
  if (runIds.size > 1)
    throw new MergeInputError(
      `the files come from ${runIds.size} k6 test runs (testid ${[...runIds].join(', ')}): import one run's files`,
    );
  const seen = new Map<string, string>();
  for (const f of files) {
    if (f.instance === undefined) continue;
    const other = seen.get(f.instance);
    if (other)
      throw new MergeInputError(
        `${other} and ${f.file} are both k6 instance ${f.instance}: its samples would count twice`,
      );
    seen.set(f.instance, f.file);
  }
}

/** The scenario's thresholds (validated when it was read). */
function thresholdsOf(scenario: Scenario): Threshold[] {
  return (scenario.doc.thresholds ?? []).flatMap((source) => {
    const p = parseThreshold(source);
    return p.ok ? [p.threshold] : [];
  });
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;
