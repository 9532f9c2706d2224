import type { CheckResult } from '../model/conformance.ts';
import type { Summary } from '../model/summary.ts';
import { lifecycleMarkdown } from './markdown-lifecycle.ts';
import { differenceText, verdictWords } from './text/comparison.ts';
import { mergeHeadline, RUNNER_HEADS, type RunnerCells, runnerCells, totalCells } from './text/runners.ts';
import { saturationWords } from './text/saturation.ts';
import { sessionMarkdown } from './text/session.ts';

/** `summary.md`: the verdict, the conformance and security tables, for PR comments and $GITHUB_STEP_SUMMARY. */
export function markdownSummary(summary: Summary): string {
  const out: string[] = [];
  const v = summary.verdict;
  out.push(
    `## wsgate: ${summary.scenario.name} — ${v.passed ? 'PASS' : 'FAIL'} (exit ${v.exitCode})` +
      `${summary.partial ? ' — partial run' : ''}`,
  );
  out.push('');
  if (v.failures.length > 0) {
    out.push('**Failed:**');
    for (const f of v.failures.slice(0, 30)) out.push(`- ${escapeCell(f)}`);
    if (v.failures.length > 30) out.push(`- … and ${v.failures.length - 30} more (see summary.json)`);
    out.push('');
  }
  const seg = summary.segment;
  if (seg && seg.of > 1)
    out.push(
      `Segment ${seg.index}/${seg.of} of the scenario: its thresholds are judged once, by \`wsgate merge\`, ` +
        'on the merged data of every segment.',
      '',
    );
  if (summary.merge) out.push(...runnersTable(summary));
  const c = summary.conformance;
  if (c) {
    out.push(`### Conformance: ${c.passed} passed, ${c.failed} failed, ${c.notRun} not run`);
    out.push('');
    out.push('| target | credential set | auth verdict | expected | seen | backend reached | result |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const k of c.checks) {
      const reached = k.backend.checked ? (k.backend.reached ? 'yes' : 'no') : '–';
      const result =
        k.status === 'passed'
          ? 'pass'
          : k.status === 'failed'
            ? `**FAIL**: ${escapeCell(k.reasons.join('; '))}`
            : `not run: ${escapeCell(k.reasons.join('; '))}`;
      out.push(
        `| ${k.target} | ${k.credential} | ${k.verdict} | ${k.expected.join(' / ')} | ${k.seen ?? '–'} | ` +
          `${reached} | ${result} |`,
      );
    }
    out.push('');
  }
  if (c) out.push(...verdictMatrix(c.checks));
  if (summary.session) out.push(...sessionMarkdown(summary.session));
  const l = summary.load;
  if (l) {
    out.push(
      `### Load: ${l.attempts} attempts, ${l.upgrades} upgraded, ${l.unexpected} unexpected` +
        `${l.partial ? ` — stopped early: ${escapeCell(l.stoppedBecause ?? '')}` : ''}`,
    );
    out.push('');
    out.push('| target | credential set | attempts | expected | outcomes | unexpected | p95 to response (ms) |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const s of l.sets)
      out.push(
        `| ${s.target} | ${s.credential} | ${s.attempts} | ${s.expected.join(' / ')} | ${Object.entries(s.outcomes)
          .map(([o, n]) => `${o} ${n}`)
          .join(', ')} | ${s.unexpected} | ${s.response?.p95 ?? '–'} |`,
      );
    out.push('');
    const h = l.held;
    if (h) {
      const codes = Object.entries(h.dropCodes)
        .map(([code, n]) => `${code} × ${n}`)
        .join(', ');
      out.push(
        `Held connections: ${h.peak} of ${h.target} at peak, ${h.dropped} dropped${codes ? ` (${codes})` : ''}, ` +
          `${h.echoes} of ${h.messages} messages echoed` +
          `${h.lost ? `, ${h.lost} lost` : ''}${h.rtt ? `, round trip p95 ${h.rtt.p95} ms` : ''}.`,
      );
      out.push('');
    }
    const saturation = saturationWords(l);
    if (saturation) out.push(`**Who kept up:** ${escapeCell(saturation)}.`, '');
    if (l.cutByShutdown)
      out.push(
        `${l.cutByShutdown} attempts were cut by the run's own stop and are not counted against the target.`,
        '',
      );
  }
  const cap = summary.capacity;
  if (cap) {
    out.push(`### Capacity of ${cap.targets.join(', ')}`, '');
    out.push(`**${escapeCell(cap.verdict)}.**`, '');
    out.push(
      '| offered /s | upgrades /s | time to 101 p95 ms | errors | generator late p99 ms | generator cpu | result |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const st of cap.steps) {
      const result = st.passed ? 'held' : `**broke** (${st.broke}): ${escapeCell(st.why ?? '')}`;
      const cells = [
        `${st.rate}${st.refining ? ' (closing in)' : ''}`,
        st.upgradesPerSecond,
        st.handshake?.p95 ?? '–',
        `${(st.errorShare * 100).toFixed(2)}%`,
        st.generator?.lateP99 ?? '–',
        st.generator ? `${Math.round(st.generator.cpu * 100)}%` : '–',
        result,
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const cmp = summary.comparison;
  if (cmp) {
    out.push(`### Comparison against ${cmp.reference} (interleaved rounds)`);
    out.push('');
    out.push(`| target | percentile | ${cmp.reference} ms | target ms | difference [interval] | verdict |`);
    out.push('| --- | --- | --- | --- | --- | --- |');
    const value = (t: string, p: number) =>
      cmp.sides.find((x) => x.target === t)?.percentiles[`p${p as 50}`]?.toFixed(3) ?? '–';
    for (const d of cmp.differences) {
      const cells = [d.target, `p${d.percentile}`, value(d.versus, d.percentile), value(d.target, d.percentile)];
      out.push(`| ${cells.join(' | ')} | ${differenceText(d)} | ${escapeCell(verdictWords(d))} |`);
    }
    out.push('');
  }
  const sec = summary.security;
  if (sec) {
    const refs =
      `allowed reference: ${sec.references.allowed ?? 'none'}, denied reference: ` +
      `${sec.references.denied ?? 'none'}`;
    out.push(
      `### Security probes: ${sec.passed} passed, ${sec.failed} failed, ${sec.notRun} not run (${escapeCell(refs)})`,
    );
    out.push('');
    out.push('| target | probe | checks that | seen | result |');
    out.push('| --- | --- | --- | --- | --- |');
    for (const p of sec.probes) {
      const result =
        p.status === 'passed'
          ? 'pass'
          : p.status === 'failed'
            ? `**FAIL**: ${escapeCell(p.reasons.join('; '))}`
            : `not run: ${escapeCell(p.reasons.join('; '))}`;
      out.push(
        `| ${p.target} | \`${p.probe}\` | ${escapeCell(p.title)} | ` +
          `${p.status === 'not_run' ? '–' : escapeCell(p.seen)} | ${result} |`,
      );
    }
    out.push('');
  }
  out.push(...lifecycleMarkdown(summary.lifecycle, escapeCell));
  if (summary.thresholds.length > 0) {
    out.push('### Thresholds');
    out.push('');
    out.push('| threshold | measured | result |');
    out.push('| --- | --- | --- |');
    for (const t of summary.thresholds)
      out.push(
        `| \`${t.source}\` | ${t.actual ?? 'not measured'} | ` +
          `${t.skipped ? `skipped: ${escapeCell(t.skipped)}` : t.passed ? 'pass' : '**FAIL**'} |`,
      );
    out.push('');
  }
  out.push(
    `<sub>wsgate ${summary.tool.version} · run ${summary.run.id} · ${summary.run.startedAt} · ` +
      `${Math.round(summary.run.durationMs)} ms</sub>`,
  );
  return out.join('\n') + '\n';
}

/**
 * With several targets, what each gateway made of each credential set, side by side: the table
 * that tells how gateways map auth verdicts and whether they fail closed.
 */
export function verdictMatrix(checks: CheckResult[]): string[] {
  const targets = [...new Set(checks.map((k) => k.target))];
  if (targets.length < 2) return [];
  const sets = [...new Set(checks.map((k) => k.credential))];
  const out = [
    '### What each gateway answered',
    '',
    `| credential set (auth verdict) | ${targets.join(' | ')} |`,
    `| --- | ${targets.map(() => '---').join(' | ')} |`,
  ];
  for (const set of sets) {
    const row = targets.map((t) => {
      const k = checks.find((c) => c.target === t && c.credential === set);
      if (!k || k.seen === undefined) return '–';
      const seen = k.seen === 'upgraded' ? '101 upgrade' : k.seen.startsWith('http_') ? k.seen.slice(5) : k.seen;
      const closed = k.verdict !== 200 ? (k.seen === 'upgraded' ? ' **fail-open**' : '') : '';
      return `${seen}${closed}${k.status === 'failed' ? ' ✗' : ''}`;
    });
    const first = checks.find((c) => c.credential === set)!;
    const state = first.authState !== 'ok' ? `, auth service ${first.authState}` : '';
    out.push(`| ${set} (${first.verdict}${state}) | ${row.join(' | ')} |`);
  }
  out.push('');
  return out;
}

/** One row per runner and the merged total, with how the merge was put together. */
function runnersTable(summary: Summary): string[] {
  const m = summary.merge!;
  const out = [`### Runners: ${escapeCell(mergeHeadline(m))}`, ''];
  out.push(`| ${RUNNER_HEADS.join(' | ')} |`, `| ${RUNNER_HEADS.map(() => '---').join(' | ')} |`);
  const row = (c: RunnerCells, bold = false) => {
    const cells = Object.values(c).map((v) => escapeCell(v || '–'));
    return `| ${(bold ? cells.map((v) => `**${v}**`) : cells).join(' | ')} |`;
  };
  for (const r of summary.runners ?? []) out.push(row(runnerCells(r)));
  out.push(row(totalCells(summary), true), '');
  for (const w of m.warnings) out.push(`- ${escapeCell(w)}`);
  if (m.warnings.length) out.push('');
  return out;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
