import type {
  CredentialCheck,
  EndSummary,
  IdleCheck,
  LifecycleCheckResult,
  LifecycleResult,
  PressureCheck,
  ReloadCheck,
  RestartCheck,
} from '../../../model/lifecycle.ts';
import type { Summary } from '../../../model/summary.ts';
import type { LineChart } from '../charts.ts';
import { num, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';

const STATUS_CLASS = { passed: 'pass', failed: 'fail', finding: 'warn', not_run: 'muted' } as const;
const STATUS_WORD = { passed: 'pass', failed: 'FAIL', finding: 'finding', not_run: 'not run' } as const;
const s = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(2));
const counts = (m: Readonly<Record<string, number | undefined>>) =>
  Object.entries(m)
    .filter(([k, n]) => n && k !== 'upgraded')
    .map(([k, n]) => `${k} × ${n}`)
    .join(', ') || '–';

/** "1.02–1.10 s: no close frame (1006 × 3)" */
export function endCell(e: EndSummary): string {
  if (e.count === 0) return 'none';
  const when = e.firstMs === e.lastMs ? `${s(e.firstMs)} s` : `${s(e.firstMs)}–${s(e.lastMs)} s`;
  const hows = Object.entries(e.hows)
    .map(([h, n]) => `${h.replace(/_/g, ' ')}${n === e.count ? '' : ` × ${n}`}`)
    .join(', ');
  return `${e.count}: ${when}, ${hows} (${counts(e.codes)})`;
}

/** The gateway and variant behind a target, when wsgate started it. */
export function gatewayLabel(c: { target: string; gateway?: string; variant?: string }): string {
  return c.gateway ? `${c.gateway} (${c.variant ?? 'default'})` : 'own';
}

/** The lifecycle checks: one row per check x target, the numbers of each kind, and each one over time. */
export function lifecycleSection(summary: Summary): string {
  const l = summary.lifecycle;
  if (!l) return '';
  const rows = l.checks.map((c) =>
    tr(
      [
        td(esc(c.target)),
        td(esc(gatewayLabel(c))),
        td(`<code>${esc(c.check)}</code>`),
        td(esc(c.expected)),
        td(esc(c.observed)),
        td(
          `${STATUS_WORD[c.status]}${c.reasons.length ? `<div>${esc(c.reasons.join('; '))}</div>` : ''}`,
          STATUS_CLASS[c.status],
        ),
      ],
      c.status === 'failed' ? 'failed' : c.status === 'finding' ? 'differs' : '',
    ),
  );
  const title =
    `Lifecycle: ${l.passed} passed, ${l.failed} failed, ${l.findings} findings, ${l.notRun} not run` +
    `${l.partial ? ' (stopped early)' : ''}`;
  const charts = lifecycleCharts(l)
    .map((c) => `<h4>${esc(c.title)}</h4><div id="${c.id}" class="chart"></div>`)
    .join('\n');
  return `<h2>${esc(title)}</h2>
<p class="muted">What time and change do to sessions: idle limits, a reload under load, a restart storm, sessions
outliving their credential, a slow auth service under load. A finding is something the scenario does not count as a
failure (a target it tolerates, a session outliving its credential with <code>outlives: finding</code>).</p>
${table('lifecycle', ['target', 'gateway', 'check', 'a safe gateway', 'seen', 'result'], rows)}
${idleTable(l)}${reloadTable(l)}${restartTable(l)}${credentialTable(l)}${pressureTable(l)}
${charts ? `<h3>Over time</h3>${charts}` : ''}`;
}

function only<C extends LifecycleCheckResult['check']>(l: LifecycleResult, ...names: C[]) {
  return l.checks.filter(
    (c): c is Extract<LifecycleCheckResult, { check: C }> => names.includes(c.check as C) && c.status !== 'not_run',
  );
}

function idleTable(l: LifecycleResult): string {
  const rows = only(l, 'idle').flatMap((c: IdleCheck) =>
    c.groups.map((g) =>
      tr([
        td(esc(c.target)),
        td(g.kind === 'silent' ? 'silent' : `ping every ${s(g.pingEveryMs)} s`),
        num(`${g.opened} of ${g.connections}`),
        td(esc(endCell(g.ends))),
        num(g.droppedBefore, g.droppedBefore ? 'fail' : ''),
        num(g.survived),
      ]),
    ),
  );
  if (rows.length === 0) return '';
  const heads = ['target', 'connections', 'upgraded', 'ended (after their upgrade)', 'cut too soon', 'open at the end'];
  return `<h3>Idle</h3>${table('lifecycle-idle', heads, rows)}`;
}

function reloadTable(l: LifecycleResult): string {
  const rows = only(l, 'reload').map((c: ReloadCheck) => {
    const p = c.processes;
    const processes = p
      ? `${p.before} before, ${p.started} new, ${p.oldAlive} old alive at ${s(p.sampledAfterMs)} s` +
        `${p.oldLingering ? `, ${p.oldLingering} lingering` : ''}`
      : '–';
    return tr([
      td(esc(c.target)),
      td(esc(c.action)),
      num(`${c.held}`),
      num(`${c.dropped}${c.dropped ? ` (${counts(c.dropCodes)})` : ''}`, c.dropped ? 'fail' : ''),
      num(c.cutAtDeadline),
      num(`${c.failedUpgrades} of ${c.attempts}${c.failedUpgrades ? ` (${counts(c.failedByOutcome)})` : ''}`),
      num(c.readyMs === undefined ? '–' : c.readyMs.toFixed(0)),
      td(esc(processes)),
      num(p?.drainDeadlineMs !== undefined ? s(p.drainDeadlineMs) : 'none'),
    ]);
  });
  if (rows.length === 0) return '';
  const heads = [
    'target',
    'reload',
    'held',
    'dropped',
    'cut at drain deadline',
    'failed upgrades',
    'new config serves (ms)',
    'processes',
    'drain deadline (s)',
  ];
  return `<h3>Reload under load</h3>${table('lifecycle-reload', heads, rows)}`;
}

function restartTable(l: LifecycleResult): string {
  const rows = only(l, 'restart').map((c: RestartCheck) => {
    const p = c.reconnect;
    const policy =
      p.policy === 'immediate'
        ? 'immediate'
        : `${p.policy} ${p.delayMs} ms${p.policy === 'exponential' ? `…${p.maxDelayMs} ms` : ''} ±${p.jitter * 100}%`;
    const auth = c.auth
      ? `${c.auth.requests} requests, busiest second ${c.auth.peakPerSecond}/s` +
        `${c.auth.p95Ms !== undefined ? `, p95 ≤ ${c.auth.p95Ms} ms` : ''}`
      : 'not read';
    return tr([
      td(esc(c.target)),
      td(esc(`${c.cause === 'restart' ? c.action : 'backend closes (1012)'}`)),
      td(esc(policy)),
      num(`${c.back} of ${c.dropped}`, c.notBack ? 'fail' : ''),
      num(s(c.back99Ms)),
      num(s(c.back100Ms)),
      num(`${c.failedUpgrades} of ${c.reconnectAttempts}${c.failedUpgrades ? ` (${counts(c.failedByOutcome)})` : ''}`),
      td(esc(auth)),
    ]);
  });
  if (rows.length === 0) return '';
  const heads = [
    'target',
    'cause',
    'reconnect',
    'back',
    '99% back (s)',
    'all back (s)',
    'failed attempts',
    'auth service',
  ];
  return `<h3>Restart and reconnect storm</h3>${table('lifecycle-restart', heads, rows)}`;
}

function credentialTable(l: LifecycleResult): string {
  const rows = only(l, 'credential-expiry', 'credential-revocation').map((c: CredentialCheck) =>
    tr([
      td(esc(c.target)),
      td(c.check === 'credential-expiry' ? 'token expired' : 'revoked'),
      td(esc(c.credential)),
      td(esc(endCell(c.ended))),
      num(c.outlived, c.outlived ? (c.outlives === 'fail' ? 'fail' : '') : ''),
      num(s(c.trafficAfterMs)),
      td(esc(c.reconnect ? c.reconnect.outcome : '–'), c.reconnect?.allowed ? 'fail' : ''),
      td(c.outlives),
    ]),
  );
  if (rows.length === 0) return '';
  const heads = [
    'target',
    'what',
    'set',
    'ended (after the moment)',
    'still open',
    'traffic after (s)',
    'new upgrade',
    'outliving is',
  ];
  return `<h3>Sessions outliving their credential</h3>${table('lifecycle-credentials', heads, rows)}`;
}

function pressureTable(l: LifecycleResult): string {
  const checks = only(l, 'auth-pressure');
  if (checks.length === 0) return '';
  const delays = checks[0]!.steps.map((x) => x.delayMs);
  const rows = checks.map((c: PressureCheck) =>
    tr([
      td(esc(c.target)),
      ...c.steps.map((x) => {
        const up = x.allowed.outcomes.upgraded ?? 0;
        const text = `${up} of ${x.allowed.attempts} in${
          x.allowed.attempts > up ? `; ${counts(x.allowed.outcomes)}` : ''
        }${x.failOpen ? `; ${x.failOpen} fail-open` : ''}${x.unwaited ? `; ${x.unwaited} did not wait` : ''}`;
        return num(esc(text), x.failOpen ? 'fail' : '');
      }),
      num(c.failsClosedAtMs ?? '–'),
    ]),
  );
  const heads = ['target', ...delays.map((d) => `auth at ${d} ms`), 'fails closed from (ms)'];
  return `<h3>Auth call timing under pressure</h3>${table('lifecycle-pressure', heads, rows)}`;
}

/** One chart per check x target with a timeline, its moments marked. */
export function lifecycleCharts(l: LifecycleResult): Array<{ id: string; title: string; chart: LineChart }> {
  return l.checks.flatMap((c, i) => {
    const t = c.timeline;
    if (!t || t.t.length === 0) return [];
    const right = t.series.some((x) => x.right);
    return [
      {
        id: `lifecycle-chart-${i}`,
        title: `${c.target}: ${c.check}`,
        chart: {
          x: t.t,
          xLabel: 'seconds',
          yLabel: c.check === 'auth-pressure' ? 'attempts per step' : `per ${t.bucketMs} ms`,
          ...(right ? { rightLabel: 'open' } : {}),
          lines: t.series.map((x) => ({
            label: x.label,
            values: x.values,
            ...(x.right ? { right: true, dash: [4, 4], width: 1 } : {}),
          })),
          marks: t.marks.map((m) => ({ x: m.t, label: m.label })),
          height: 200,
        },
      },
    ];
  });
}
