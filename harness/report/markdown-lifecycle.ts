import type { LifecycleResult } from '../model/lifecycle.ts';

const RESULT = { passed: 'pass', failed: '**FAIL**', finding: 'finding', not_run: 'not run' } as const;
const secs = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(2));

/** The lifecycle checks in `summary.md`: one row per check x target, then the restart storms' recovery. */
export function lifecycleMarkdown(l: LifecycleResult | undefined, escapeCell: (t: string) => string): string[] {
  if (!l) return [];
  const out = [
    `### Lifecycle: ${l.passed} passed, ${l.failed} failed, ${l.findings} findings, ${l.notRun} not run` +
      `${l.partial ? ' — stopped early' : ''}`,
    '',
    '| target | gateway | check | seen | result |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const c of l.checks) {
    const gateway = c.gateway ? `${c.gateway} (${c.variant ?? 'default'})` : 'own';
    const why = c.status === 'passed' ? '' : `: ${escapeCell(c.reasons.join('; '))}`;
    out.push(`| ${c.target} | ${gateway} | \`${c.check}\` | ${escapeCell(c.observed)} | ${RESULT[c.status]}${why} |`);
  }
  out.push('');
  const storms = l.checks.filter((c) => c.check === 'restart' && c.status !== 'not_run');
  if (storms.length > 0) {
    out.push('| restart storm | lost | back | 99% back (s) | all back (s) | failed attempts | auth busiest second |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const c of storms) {
      if (c.check !== 'restart') continue;
      out.push(
        `| ${c.target} | ${c.dropped} | ${c.back} | ${secs(c.back99Ms)} | ${secs(c.back100Ms)} | ` +
          `${c.failedUpgrades} of ${c.reconnectAttempts} | ${c.auth ? `${c.auth.peakPerSecond}/s` : '–'} |`,
      );
    }
    out.push('');
  }
  return out;
}
