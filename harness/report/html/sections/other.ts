import type { Summary } from '../../../model/summary.ts';
import { mergeHeadline, RUNNER_HEADS, type RunnerCells, runnerCells, totalCells } from '../../text/runners.ts';
import { num, statusClass, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';

/** Every threshold, what was measured, and whether it held (skipped ones say why). */
export function thresholdsSection(s: Summary): string {
  if (s.thresholds.length === 0) return '';
  const rows = s.thresholds.map((t) => {
    const result = t.skipped
      ? `<span class="muted">skipped: ${esc(t.skipped)}</span>`
      : t.passed
        ? '<span class="pass">pass</span>'
        : '<span class="fail">FAIL</span>';
    const measured = t.actual === undefined ? 'not measured' : esc(String(Math.round(t.actual * 1000) / 1000));
    return tr([td(`<code>${esc(t.source)}</code>`), num(measured), td(result)]);
  });
  return `<h2>Thresholds</h2>${table('thresholds', ['threshold', 'measured', 'result'], rows)}`;
}

/** One row per probe x target: what it checks, what was seen, the result and why. */
export function securitySection(s: Summary): string {
  const sec = s.security;
  if (!sec) return '';
  const rows = sec.probes.map((p) => {
    const why = p.reasons.length ? `<div>${esc(p.reasons.join('; '))}</div>` : '';
    return tr(
      [
        td(esc(p.target)),
        td(`<code>${esc(p.probe)}</code>`),
        td(esc(p.title)),
        td(esc(p.status === 'not_run' ? '–' : p.seen)),
        td(`${esc(p.status.replace('_', ' '))}${why}`, statusClass(p.status)),
      ],
      p.status === 'failed' ? 'failed' : '',
    );
  });
  const title = `Security probes: ${sec.passed} passed, ${sec.failed} failed, ${sec.notRun} not run`;
  return `<h2>${title}</h2>${table('security', ['target', 'probe', 'checks that', 'seen', 'result'], rows)}`;
}

/** A merged run: one row per runner beside the merged total, how the merge was put together. */
export function runnersSection(s: Summary): string {
  const m = s.merge;
  if (!m) return '';
  const row = (c: RunnerCells, cls: string) =>
    tr(
      [
        td(esc(c.runner)),
        td(esc(c.host)),
        num(c.attempts),
        num(c.upgrades),
        num(c.unexpected),
        num(c.errors),
        num(esc(c.handshake)),
        td(esc(c.generator)),
        td(esc(c.start)),
        td(esc(c.note)),
      ],
      cls,
    );
  const rows = (s.runners ?? []).map((r) => row(runnerCells(r), r.merged ? (r.partial ? 'failed' : '') : 'muted'));
  rows.push(row(totalCells(s), 'total'));
  const warnings = m.warnings.map((w) => `<li>${esc(w)}</li>`).join('');
  return (
    `<h2>Runners</h2><p id="merge-headline">${esc(mergeHeadline(m))}</p>` +
    `${table('runners', [...RUNNER_HEADS], rows)}${warnings ? `<ul id="merge-warnings">${warnings}</ul>` : ''}`
  );
}

/** The machine, checkout and scenario version of the run. */
export function environmentSection(s: Summary): string {
  const e = s.environment;
  const rows: Array<[string, string]> = [
    ['wsgate', s.tool.version],
    ['git commit', e.gitCommit ?? '–'],
    ['Node.js', e.node],
    ['CPU', `${e.cpus} x ${e.cpuModel}`],
    ['platform', `${e.platform} ${e.arch}`],
    ['scenario', `${s.scenario.file} (sha256 ${s.scenario.hash.slice(0, 16)}…)`],
    ['started', s.run.startedAt],
    ['ended', `${s.run.endedAt} (${(s.run.durationMs / 1000).toFixed(1)} s)`],
  ];
  const body = rows.map(([k, val]) => `<tr><th>${esc(k)}</th><td>${esc(val)}</td></tr>`).join('\n');
  return `<h2>Environment</h2><table id="environment">${body}</table>`;
}
