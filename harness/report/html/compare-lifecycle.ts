import type { LifecycleCheckName, LifecycleCheckResult } from '../../model/lifecycle.ts';
import type { Summary } from '../../model/summary.ts';
import { headRow, td, tr } from './elements.ts';
import { esc } from './page.ts';
import { endCell, gatewayLabel } from './sections/lifecycle.ts';

const secs = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** One column of the compare page: a target of one run. */
interface LifecycleColumn {
  label: string;
  target: string;
  summary: Summary;
}

/** What a cell shows of one check, in a few words. */
function cell(c: LifecycleCheckResult | undefined): string {
  if (!c) return '–';
  if (c.status === 'not_run') return 'not run';
  switch (c.check) {
    case 'idle':
      return c.groups
        .map((g) => `${g.kind}: ${g.ends.count ? `cut ${endCell(g.ends)}` : `${g.survived} open at the end`}`)
        .join('; ');
    case 'reload': {
      const p = c.processes;
      const old = p && p.oldAlive > 0 ? `; ${p.oldAlive} old process(es) alive at ${secs(p.sampledAfterMs)}` : '';
      return (
        `${c.dropped} of ${c.held} dropped${c.dropped ? ` (${Object.keys(c.dropCodes).join(', ')})` : ''}` +
        `${c.cutAtDeadline ? `, ${c.cutAtDeadline} cut at the drain deadline` : ''}; ` +
        `${c.failedUpgrades} failed upgrades; new config in ${c.readyMs?.toFixed(0) ?? '–'} ms${old}`
      );
    }
    case 'restart':
      return (
        `99% back ${secs(c.back99Ms)}, all ${secs(c.back100Ms)}; ${c.failedUpgrades} failed attempts` +
        `${c.auth ? `; auth busiest second ${c.auth.peakPerSecond}/s` : ''}`
      );
    case 'credential-expiry':
    case 'credential-revocation':
      return (
        `${c.ended.count ? `ended ${endCell(c.ended)}` : `${c.outlived} outlived it`}` +
        `${c.reconnect ? `; new upgrade ${c.reconnect.outcome}` : ''}`
      );
    case 'auth-pressure':
      return (
        `${c.failsClosedAtMs !== undefined ? `fails closed from ${c.failsClosedAtMs} ms` : 'never failed closed'}` +
        `${c.failOpen ? `; ${c.failOpen} fail-open` : ''}${c.unwaited ? `; ${c.unwaited} did not wait (cache?)` : ''}`
      );
  }
}

const CHECKS: Array<[LifecycleCheckName, string]> = [
  ['idle', 'idle'],
  ['reload', 'reload under load'],
  ['restart', 'restart storm'],
  ['credential-expiry', 'token expired'],
  ['credential-revocation', 'credential revoked'],
  ['auth-pressure', 'slow auth'],
];

/**
 * The lifecycle checks side by side: one row per gateway and configuration variant (a target of
 * each run given), one column per check; failed cells red, findings highlighted.
 */
export function lifecycleCompareTable(columns: readonly LifecycleColumn[]): string {
  const withLifecycle = columns.filter((c) => c.summary.lifecycle);
  if (withLifecycle.length === 0) return '';
  const present = CHECKS.filter(([name]) =>
    withLifecycle.some((c) => c.summary.lifecycle!.checks.some((x) => x.check === name)),
  );
  const rows = withLifecycle.map((col) => {
    const checks = col.summary.lifecycle!.checks.filter((x) => x.target === col.target);
    const first = checks[0];
    const cells = present.map(([name]) => {
      const c = checks.find((x) => x.check === name);
      const cls = c?.status === 'failed' ? 'failed' : c?.status === 'finding' ? 'differs' : '';
      const title = c?.reasons.length ? ` title="${esc(c.reasons.join('; '))}"` : '';
      return `<td class="${cls}"${title}>${esc(cell(c))}</td>`;
    });
    return tr([`<th>${esc(col.label)}</th>`, td(esc(first ? gatewayLabel(first) : 'own')), ...cells]);
  });
  return `<h2>Lifecycle: each gateway and configuration</h2>
<p class="muted">One row per gateway per configuration variant (a target of each run given); red: the check failed,
highlighted: a finding (hover for why).</p>
<table id="lifecycle-compare">${headRow(['target', 'gateway (variant)', ...present.map(([, t]) => t)])}
${rows.join('\n')}</table>`;
}
