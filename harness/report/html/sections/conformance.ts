import type { CheckResult } from '../../../model/conformance.ts';
import type { Summary } from '../../../model/summary.ts';
import { formatTrace } from '../../text/trace.ts';
import { num, statusClass, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';

/** The conformance matrix (target x credential set) with the evidence behind each cell one click away. */
export function conformanceSection(s: Summary): string {
  const c = s.conformance;
  if (!c) return '';
  const rows = c.checks.map((k) => {
    const state = k.authState !== 'ok' ? ` <small>(auth ${esc(k.authState)})</small>` : '';
    const reached = k.backend.checked ? (k.backend.reached ? 'yes' : 'no') : '–';
    return tr(
      [
        td(esc(k.target)),
        td(esc(k.credential)),
        num(`${esc(k.verdict)}${state}`),
        td(esc(k.expected.join(' / '))),
        td(esc(k.seen ?? 'not run')),
        td(reached),
        td(esc(k.status.replace('_', ' ')), statusClass(k.status)),
        td(evidence(k)),
      ],
      k.status === 'failed' ? 'failed' : '',
    );
  });
  const heads = [
    'target',
    'credential set',
    'auth verdict',
    'expected',
    'client saw',
    'backend reached',
    'result',
    'evidence',
  ];
  return `<h2>Conformance: ${c.passed} passed, ${c.failed} failed, ${c.notRun} not run</h2>
${table('conformance', heads, rows)}`;
}

function evidence(k: CheckResult): string {
  const e = k.evidence;
  const lines: string[] = [...k.reasons.map((r) => `<div class="fail">${esc(r)}</div>`)];
  if (e) {
    if (e.statusLine) lines.push(`<div><b>${esc(e.statusLine)}</b></div>`);
    for (const [h, val] of Object.entries(e.headers)) lines.push(`<div><code>${esc(h)}: ${esc(val)}</code></div>`);
    if (e.bodySnippet) lines.push(`<div>body: <code>${esc(e.bodySnippet)}</code></div>`);
    const timings = Object.entries(e.timings).map(([t, ms]) => `${t.replace(/Ms$/, '')} ${ms}`);
    lines.push(`<div class="muted">timings ms: ${esc(timings.join(', '))}</div>`);
    if (e.echo) lines.push(`<div>echo: ${e.echo.ok ? 'ok' : esc(e.echo.problem ?? 'failed')}</div>`);
    if (e.wire) lines.push(`<div>wire trace:</div><pre class="trace">${esc(formatTrace(e.wire))}</pre>`);
  }
  if (k.backend.forwardedHeaders) {
    lines.push(`<div class="muted">backend saw: ${esc(Object.keys(k.backend.forwardedHeaders).join(', '))}</div>`);
  }
  return lines.length ? `<details><summary>show</summary>${lines.join('')}</details>` : '';
}

/** Where conformance attempts spent their time, step by step (connect, TLS, to 101, first echo). */
export function conformanceTimingsSection(s: Summary): string {
  const checks = (s.conformance?.checks ?? []).filter((k) => k.evidence?.timings.upgradeMs !== undefined);
  if (checks.length === 0) return '';
  const ms = (v: number | undefined) => num(v === undefined ? '–' : v.toFixed(3));
  const rows = checks.map((k) => {
    const t = k.evidence!.timings;
    return tr([
      td(esc(k.target)),
      td(esc(k.credential)),
      ...[t.connectMs, t.tlsMs, t.statusMs, t.upgradeMs, t.echoMs].map(ms),
    ]);
  });
  const heads = ['target', 'credential set', 'connect ms', 'TLS ms', 'to status ms', 'to 101 ms', 'first echo ms'];
  return `<h2>Handshake timings (conformance attempts)</h2>${table('timings', heads, rows)}`;
}
