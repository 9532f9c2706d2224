import {
  SESSION_CHECK_IDS,
  SESSION_CHECKS,
  type SessionCheckId,
  type SessionCheckResult,
  type SessionResult,
  type SessionVerdict,
} from '../../../model/session.ts';
import type { Summary } from '../../../model/summary.ts';
import { formatSize } from '../../../scenario/size.ts';
import { evidenceLines, verdictWord } from '../../text/session.ts';
import { headRow, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';

const CLASS: Record<SessionVerdict, string> = { pass: 'pass', fail: 'fail', not_applicable: 'muted' };

/**
 * After the 101: a matrix of every session check (rows) by target x credential set (columns) with
 * the verdict and what was observed, HTTP/2 verdicts per set, and each check's evidence (expected,
 * observed, frames, closes, records) one click away.
 */
export function sessionSection(s: Summary): string {
  const ss = s.session;
  if (!ss || ss.results.length === 0) return '';
  const full = ss.results.filter((r) => r.checks.length > 1);
  const title = `Session after the 101: ${ss.passed} passed, ${ss.failed} failed, ${ss.notApplicable} not applicable`;
  const matrix = full.length ? matrixTable(full) : '';
  const h2 = http2Table(ss.results);
  const details = ss.results.map(detailsOf).join('\n');
  return `<h2>${title}</h2>
<p class="muted">Checks on upgraded sessions through each gateway; evidence from the frames both ways, the backend's
record of each session and the auth service's record of its request. Hover a cell for why.</p>
${matrix}
${h2}
<h3>Evidence</h3>
${details}`;
}

function cell(c: SessionCheckResult | undefined): string {
  if (!c) return td('–');
  const why = c.reasons.length ? ` title="${esc(c.reasons.join('; '))}"` : '';
  const observed = c.verdict === 'not_applicable' ? c.reasons.join('; ') : c.observed;
  return `<td class="${CLASS[c.verdict]}"${why}><b>${verdictWord(c)}</b> <small>${esc(observed)}</small></td>`;
}

function matrixTable(results: SessionResult[]): string {
  const ids = SESSION_CHECK_IDS.filter((id) => results.some((r) => r.checks.some((c) => c.id === id)));
  const rows = ids.map((id) =>
    tr(
      [`<th title="${esc(SESSION_CHECKS[id])}">${esc(id)}</th>`, ...results.map((r) => cell(find(r, id)))],
      results.some((r) => find(r, id)?.verdict === 'fail') ? 'failed' : '',
    ),
  );
  const heads = ['check', ...results.map((r) => `${r.target} / ${r.credential}`)];
  const ladder = results
    .filter((r) => r.largestIntactBytes !== undefined)
    .map((r) => `${r.target} / ${r.credential}: ${formatSize(r.largestIntactBytes!)}`);
  const largest = ladder.length
    ? `<p class="muted">Largest message that came back intact: ${esc(ladder.join(' · '))}.</p>`
    : '';
  return `${table('session', heads, rows)}${largest}`;
}

/** Every set's verdict over HTTP/2 (RFC 8441) next to what HTTP/1.1 requires of it. */
function http2Table(results: SessionResult[]): string {
  const rows = results.flatMap((r) => {
    const c = find(r, 'http2.verdict');
    if (!c || !r.http2) return [];
    return [
      tr(
        [
          td(esc(r.target)),
          td(esc(r.credential)),
          td(esc(r.http2.url)),
          td(esc(c.expected)),
          td(esc(c.observed)),
          td(verdictWord(c), CLASS[c.verdict]),
        ],
        c.verdict === 'fail' ? 'failed' : '',
      ),
    ];
  });
  if (rows.length === 0) return '';
  const heads = ['target', 'credential set', 'HTTP/2 at', 'expected (as over HTTP/1.1)', 'over HTTP/2', 'result'];
  return `<h3>WebSockets over HTTP/2 (RFC 8441 extended CONNECT)</h3>${table('session-http2', heads, rows)}`;
}

function detailsOf(r: SessionResult): string {
  const items = r.checks.map(
    (c) =>
      `<div class="${CLASS[c.verdict]}"><b>${esc(c.id)}</b> ${verdictWord(c)}: ${esc(c.title)}</div>` +
      `<pre class="trace">${esc(evidenceLines(c).join('\n'))}</pre>`,
  );
  return `<details><summary>${esc(r.target)} / ${esc(r.credential)}: ${r.passed} passed, ${r.failed} failed, ${
    r.notApplicable
  } not applicable</summary>${items.join('')}</details>`;
}

function find(r: SessionResult, id: SessionCheckId): SessionCheckResult | undefined {
  return r.checks.find((c) => c.id === id);
}

/** One gateway column of a comparison: which target, in which run. */
export interface SessionColumn {
  label: string;
  target: string;
  summary: Summary;
}

/**
 * The compare page's rows for the session: one row per session check, one column per gateway, each
 * cell the verdict and what that gateway did (over all its credential sets: the worst verdict, the
 * first allowed set's observation; http2.verdict counts the sets that got their HTTP/1.1 verdict).
 */
export function sessionCompareTable(columns: readonly SessionColumn[]): string {
  const withSession = columns.filter((c) => c.summary.session?.results.some((r) => r.target === c.target));
  if (withSession.length === 0) return '';
  const resultsOf = (c: SessionColumn) => c.summary.session!.results.filter((r) => r.target === c.target);
  const ids = SESSION_CHECK_IDS.filter((id) =>
    withSession.some((c) => resultsOf(c).some((r) => r.checks.some((k) => k.id === id))),
  );
  const rows = ids.map((id) => {
    const cells = withSession.map((c) => {
      const checks = resultsOf(c).flatMap((r) => r.checks.filter((k) => k.id === id));
      if (checks.length === 0) return td('–');
      const worst = checks.find((k) => k.verdict === 'fail') ?? checks.find((k) => k.verdict === 'pass') ?? checks[0]!;
      if (id !== 'http2.verdict' || worst.verdict === 'not_applicable') return cell(worst);
      const judged = checks.filter((k) => k.verdict !== 'not_applicable');
      const ok = judged.filter((k) => k.verdict === 'pass').length;
      const text = `${ok} of ${judged.length} sets as over HTTP/1.1`;
      const why = worst.reasons.length ? ` title="${esc(worst.reasons.join('; '))}"` : '';
      return `<td class="${CLASS[worst.verdict]}"${why}><b>${verdictWord(worst)}</b> <small>${esc(text)}</small></td>`;
    });
    return tr([`<th title="${esc(SESSION_CHECKS[id])}">${esc(id)}</th>`, ...cells]);
  });
  return `<h2>Session after the 101</h2><table id="session-compare">${headRow([
    'check',
    ...withSession.map((c) => c.label),
  ])}
${rows.join('\n')}</table>`;
}
