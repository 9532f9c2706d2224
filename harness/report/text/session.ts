import {
  SESSION_CHECK_IDS,
  type SessionCheckResult,
  type SessionResult,
  type SessionSummary,
} from '../../model/session.ts';
import { formatSize } from '../../scenario/size.ts';

/** How a session verdict reads: `pass`, `FAIL`, `n/a`. */
export function verdictWord(c: Pick<SessionCheckResult, 'verdict'>): string {
  return c.verdict === 'pass' ? 'pass' : c.verdict === 'fail' ? 'FAIL' : 'n/a';
}

/** One line per target x credential set, as progress prints it: counts, and each failed check by name. */
export function sessionLine(r: SessionResult): string {
  const failed = r.checks.filter((c) => c.verdict === 'fail').map((c) => c.id);
  const mark = r.failed > 0 ? 'FAIL' : 'ok  ';
  const ladder = r.largestIntactBytes !== undefined ? `, largest intact ${formatSize(r.largestIntactBytes)}` : '';
  const what = `${r.passed} passed, ${r.failed} failed, ${r.notApplicable} n/a${ladder}`;
  return `  ${mark} ${r.target} / ${r.credential}: ${what}${failed.length ? ` — failed: ${failed.join(', ')}` : ''}`;
}

/**
 * The evidence of a check as plain lines (JUnit output, the HTML details): expected, observed, why,
 * the headers, closes and records it rests on, and the frames both ways.
 */
export function evidenceLines(c: SessionCheckResult): string[] {
  const e = c.evidence;
  const lines = [`expected: ${c.expected}`, `observed: ${c.observed}`, ...c.reasons.map((r) => `why: ${r}`)];
  if (e.attempts.length) lines.push(`attempts: ${e.attempts.join(', ')}`);
  for (const [h, v] of Object.entries(e.headers ?? {})) lines.push(`header ${h}: ${v}`);
  if (e.close) lines.push(`close from the ${e.close.from}: ${e.close.code} ${JSON.stringify(e.close.reason)}`);
  if (e.ended) lines.push(`ended: ${e.ended}`);
  if (e.backend) lines.push(`backend record: ${JSON.stringify(e.backend)}`);
  if (e.auth) {
    lines.push(`auth service got headers: ${e.auth.headerNames.join(', ')}`);
    for (const [h, v] of Object.entries(e.auth.unwanted)) lines.push(`  unwanted at the auth service: ${h}: ${v}`);
  }
  for (const s of e.sizes ?? [])
    lines.push(
      `size ${formatSize(s.bytes)}: ${s.result}, ${s.detail}` +
        (s.backend ? ` (backend got ${s.backend.bytes} bytes, ${s.backend.intact ? 'intact' : 'not intact'})` : ''),
    );
  for (const f of e.frames ?? [])
    lines.push(
      `${f.dir === 'sent' ? '>' : '<'} ${f.atMs.toFixed(3).padStart(9)} ms ${f.opcode}${f.fin ? '' : ' (no FIN)'}` +
        `${f.rsv ? ` rsv=${f.rsv}` : ''} ${f.length} B ${f.preview}`,
    );
  return lines;
}

/**
 * `summary.md`'s session part: a matrix of check x target / credential set (pass, FAIL, n/a), the
 * HTTP/2 verdicts, then every failed check with what was expected and observed.
 */
export function sessionMarkdown(ss: SessionSummary): string[] {
  const out = [
    `### Session after the 101: ${ss.passed} passed, ${ss.failed} failed, ${ss.notApplicable} not applicable`,
    '',
  ];
  const full = ss.results.filter((r) => r.checks.length > 1);
  if (full.length > 0) {
    out.push(`| check | ${full.map((r) => `${r.target} / ${r.credential}`).join(' | ')} |`);
    out.push(`| --- | ${full.map(() => '---').join(' | ')} |`);
    for (const id of SESSION_CHECK_IDS) {
      const cells = full.map((r) => r.checks.find((c) => c.id === id));
      if (cells.every((c) => c === undefined)) continue;
      out.push(`| \`${id}\` | ${cells.map((c) => (c ? markdownVerdict(c) : '–')).join(' | ')} |`);
    }
    out.push('');
  }
  const h2 = ss.results.flatMap((r) => {
    const c = r.checks.find((x) => x.id === 'http2.verdict');
    return c && r.http2 ? [{ r, c }] : [];
  });
  if (h2.length > 0) {
    out.push(
      '| HTTP/2 (RFC 8441) | credential set | expected | over HTTP/2 | result |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const { r, c } of h2)
      out.push(
        `| ${r.target} | ${r.credential} | ${cellText(c.expected)} | ${cellText(c.observed)} | ${verdictWord(c)} |`,
      );
    out.push('');
  }
  const failed = ss.results.flatMap((r) => r.checks.filter((c) => c.verdict === 'fail').map((c) => ({ r, c })));
  for (const { r, c } of failed)
    out.push(
      `- **${r.target} / ${r.credential}: \`${c.id}\`**: expected ${cellText(c.expected)}; ` +
        `observed ${cellText(c.observed)}`,
    );
  if (failed.length > 0) out.push('');
  return out;
}

function markdownVerdict(c: SessionCheckResult): string {
  return c.verdict === 'fail' ? '**FAIL**' : verdictWord(c);
}

function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
