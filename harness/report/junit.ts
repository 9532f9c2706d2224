import junitModule, { type Builder } from 'junit-report-builder';
import type { CheckResult } from '../model/conformance.ts';
import { statusOf } from '../model/outcome.ts';
import type { ProbeResult } from '../model/security.ts';
import type { SessionResult } from '../model/session.ts';
import type { Summary } from '../model/summary.ts';
import { addLifecycle } from './junit-lifecycle.ts';
import { evidenceLines } from './text/session.ts';

/** The package's CommonJS default export is the builder; its typings describe it as a namespace. */
const junit = junitModule as unknown as Builder;

/**
 * `junit.xml`: one testcase per target x credential set (class = target), one per threshold.
 * Failure messages are written for a CI reader who sees only this file.
 */
export function junitXml(summary: Summary): string {
  const builder = junit.newBuilder().name(`wsgate ${summary.scenario.name}`);
  if (summary.conformance) addConformance(builder, summary.conformance.checks);
  if (summary.session) addSession(builder, summary.session.results);
  if (summary.security) addSecurity(builder, summary.security.probes);
  if (summary.merge?.coverage) addSegments(builder, summary);
  if (summary.lifecycle) addLifecycle(builder, summary.lifecycle);
  addThresholds(builder, summary);
  return builder.build();
}

function addConformance(builder: Builder, checks: CheckResult[]): void {
  const suite = builder.testSuite().name('conformance');
  for (const c of checks) {
    const tc = suite
      .testCase()
      .className(`conformance.${c.target}`)
      .name(`${c.credential} expects auth ${c.verdict}`)
      .time((c.evidence?.timings.upgradeMs ?? c.evidence?.timings.statusMs ?? 0) / 1000);
    if (c.status === 'not_run') tc.skipped().standardOutput(c.reasons.join('\n'));
    else if (c.status === 'failed')
      tc.failure(`${c.target} / ${c.credential}: ${c.reasons.join('; ')}`, 'conformance').standardOutput(
        evidenceText(c),
      );
    else tc.standardOutput(evidenceText(c));
  }
}

/**
 * One testcase per session check x target x credential set (class = session.<target>.<credential>);
 * not-applicable checks are skipped with their reason; the evidence goes to the output.
 */
function addSession(builder: Builder, results: SessionResult[]): void {
  const suite = builder.testSuite().name('session');
  for (const r of results) {
    for (const c of r.checks) {
      const tc = suite
        .testCase()
        .className(`session.${r.target}.${r.credential}`)
        .name(`${c.id}: ${c.title}`)
        .time(c.durationMs / 1000);
      const text = evidenceLines(c).join('\n');
      if (c.verdict === 'not_applicable') tc.skipped().standardOutput(c.reasons.join('\n'));
      else if (c.verdict === 'fail')
        tc.failure(`${r.target} / ${r.credential}: ${c.id}: ${c.reasons.join('; ')}`, 'session').standardOutput(text);
      else tc.standardOutput(text);
    }
  }
}

/** One testcase per probe x target (class = security.<target>); not-run probes are skipped with their reason. */
function addSecurity(builder: Builder, probes: ProbeResult[]): void {
  const suite = builder.testSuite().name('security');
  for (const p of probes) {
    const tc = suite
      .testCase()
      .className(`security.${p.target}`)
      .name(`${p.probe}: ${p.title}`)
      .time(p.durationMs / 1000);
    const attempts = p.attempts.map(
      (a) =>
        `${a.unsafe ? 'UNSAFE ' : ''}${a.label} [${a.credential}]: ${a.outcome}` +
        `${a.reachedBackend ? ', reached the backend' : ''}${a.unsafe ? ` — ${a.unsafe}` : ''}`,
    );
    const text = [`sends: ${p.sends}`, `a safe gateway: ${p.safe}`, `seen: ${p.seen}`, ...attempts].join('\n');
    if (p.status === 'not_run') tc.skipped().standardOutput(p.reasons.join('\n'));
    else if (p.status === 'failed')
      tc.failure(`${p.target} / ${p.probe}: ${p.reasons.join('; ')}`, 'security').standardOutput(text);
    else tc.standardOutput(text);
  }
}

/** One testcase per segment of a merged run: a missing one fails, a runner not carried out fails with why. */
function addSegments(builder: Builder, summary: Summary): void {
  const c = summary.merge!.coverage!;
  const suite = builder.testSuite().name('segments');
  for (let i = 1; i <= c.of; i++) {
    const label = `${i}/${c.of}`;
    const tc = suite.testCase().className('segments').name(`segment ${label}`);
    const row = summary.runners?.find((r) => r.merged && r.label === label);
    if (!row) tc.failure(`segment ${label} is missing: no runner's summary carried it`, 'segment');
    else if (row.exitCode === 3 || row.partial)
      tc.failure(`segment ${label} (${row.source}) was not carried out in full (exit ${row.exitCode})`, 'segment');
    else tc.standardOutput(`${row.source}: ${row.attempts} attempts, ${row.upgrades} upgraded`);
  }
}

function addThresholds(builder: Builder, summary: Summary): void {
  if (summary.thresholds.length === 0) return;
  const suite = builder.testSuite().name('thresholds');
  for (const t of summary.thresholds) {
    const tc = suite.testCase().className('thresholds').name(t.source);
    if (t.skipped) tc.skipped().standardOutput(t.skipped);
    else if (!t.passed)
      tc.failure(
        t.actual === undefined
          ? `${t.source}: the run produced no metric "${t.metric}"`
          : `${t.source}: measured ${t.actual}`,
        'threshold',
      );
  }
}

function evidenceText(c: CheckResult): string {
  const e = c.evidence;
  if (!e) return '';
  const lines = [
    `outcome: ${e.outcome}${statusOf(e.outcome) ? '' : ''}${e.problem ? ` (${e.problem})` : ''}`,
    e.statusLine ? `status line: ${e.statusLine}` : '',
    ...Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`),
    e.bodySnippet ? `body: ${e.bodySnippet}` : '',
    `timings (ms): ${JSON.stringify(e.timings)}`,
    c.backend.checked ? `backend reached: ${c.backend.reached ? 'yes' : 'no'}` : 'backend: not checked',
  ];
  return lines.filter(Boolean).join('\n');
}
