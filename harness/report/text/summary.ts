import type { Summary } from '../../model/summary.ts';
import { capacityHeadline } from './capacity.ts';
import { mergeHeadline, runnerCells } from './runners.ts';
import { saturationWords } from './saturation.ts';

/** The few lines a person reads at the end of a run (masked by the log before printing). */
export function consoleSummary(summary: Summary, outDir: string): string {
  const lines: string[] = [];
  const v = summary.verdict;
  lines.push(
    `${v.passed ? 'PASS' : 'FAIL'}  ${summary.scenario.name}  (exit ${v.exitCode}` +
      `${summary.partial ? ', partial run' : ''}, ${(summary.run.durationMs / 1000).toFixed(1)} s)`,
  );
  const seg = summary.segment;
  if (seg && seg.of > 1)
    lines.push(`  segment      ${seg.index}/${seg.of} of the scenario (thresholds are judged by \`wsgate merge\`)`);
  const m = summary.merge;
  if (m) {
    lines.push(`  merged       ${mergeHeadline(m)}`);
    for (const r of summary.runners ?? []) {
      const c = runnerCells(r);
      lines.push(
        `    runner ${c.runner.padEnd(6)} ${c.host}: ${c.attempts} attempts, ${c.upgrades} upgraded, ${c.unexpected} ` +
          `unexpected, time to 101 ${c.handshake} ms; start ${c.start}${c.note ? ` (${c.note})` : ''}`,
      );
    }
  }
  const c = summary.conformance;
  if (c) lines.push(`  conformance  ${c.passed} passed, ${c.failed} failed, ${c.notRun} not run`);
  const ss = summary.session;
  if (ss) lines.push(`  session      ${ss.passed} passed, ${ss.failed} failed, ${ss.notApplicable} not applicable`);
  const l = summary.load;
  if (l)
    lines.push(
      `  load         ${l.attempts} attempts, ${l.upgrades} upgraded, ${l.unexpected} unexpected` +
        (l.handshake
          ? `; handshake p50 ${l.handshake.p50} ms, p95 ${l.handshake.p95} ms, p99 ${l.handshake.p99} ms`
          : '') +
        (l.held ? `; held ${l.held.peak} of ${l.held.target}, ${l.held.dropped} dropped` : '') +
        (l.partial ? ' (stopped early)' : ''),
    );
  const saturation = l ? saturationWords(l) : undefined;
  if (saturation) lines.push(`  who kept up  ${saturation}`);
  const cap = summary.capacity;
  if (cap) {
    lines.push(`  capacity     ${capacityHeadline(cap)}`);
    lines.push(`               ${cap.verdict}`);
  }
  const lc = summary.lifecycle;
  if (lc)
    lines.push(
      `  lifecycle    ${lc.passed} passed, ${lc.failed} failed, ${lc.findings} findings, ${lc.notRun} not run` +
        (lc.partial ? ' (stopped early)' : ''),
    );
  for (const t of summary.thresholds) {
    const mark = t.skipped ? 'skip' : t.passed ? 'ok  ' : 'FAIL';
    const note = t.skipped
      ? ` (${t.skipped})`
      : t.actual !== undefined
        ? ` (measured ${round(t.actual)})`
        : ' (not measured)';
    lines.push(`  threshold    ${mark} ${t.source}${note}`);
  }
  for (const f of v.failures.slice(0, 10)) lines.push(`  ✗ ${f}`);
  if (v.failures.length > 10) lines.push(`  … ${v.failures.length - 10} more in summary.md`);
  lines.push(`  report       ${outDir}/`);
  return lines.join('\n');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
