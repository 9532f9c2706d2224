import type { LatencySummary } from '../../../model/histogram.ts';
import { type LoadResult, TIMING_NAMES } from '../../../model/load.ts';
import type { Summary } from '../../../model/summary.ts';
import type { LineChart, PercentileChart } from '../charts.ts';
import { num, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';
import { percentileCurve } from '../percentile-curve.ts';
import { healthSection } from './health.ts';

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const pcts = (x: LatencySummary | undefined) => (x ? `${x.p50} / ${x.p95} / ${x.p99}` : '–');

/** The charts of the load section: per-second series and per-set latency curves. */
export function loadCharts(l: LoadResult): { series: LineChart; latency: PercentileChart } {
  const curves = l.sets
    .filter((x) => x.response)
    .map((x) => ({ label: `${x.target} / ${x.credential}`, curve: percentileCurve(x.response!.histogram) }));
  return {
    series: {
      x: l.series.map((s) => s.t + 1),
      xLabel: 'second',
      yLabel: 'per second',
      rightLabel: 'open connections',
      lines: [
        { label: 'attempts/s', values: l.series.map((s) => s.attempts) },
        { label: 'upgrades/s', values: l.series.map((s) => s.upgrades) },
        { label: 'errors/s', values: l.series.map((s) => s.errors) },
        { label: 'open', values: l.series.map((s) => s.open), right: true, dash: [4, 4], width: 1 },
      ],
    },
    latency: { curves, yLabel: 'ms from scheduled start', height: 300 },
  };
}

/** The load: outcomes per set, over time, held connections, timings under load, load processes. */
export function loadSection(s: Summary): string {
  const l = s.load;
  if (!l) return '';
  const rows = l.sets.map((x) => {
    const outcomes = Object.entries(x.outcomes).map(([o, n]) => `${o} ${n}`);
    return tr(
      [
        td(esc(x.target)),
        td(esc(x.credential)),
        num(x.attempts),
        td(esc(x.expected.join(' / '))),
        td(esc(outcomes.join(', '))),
        num(x.unexpected),
        num(pcts(x.response)),
      ],
      x.unexpected ? 'failed' : '',
    );
  });
  const h = l.handshake;
  const stages = l.stages.map(
    (st) =>
      `${st.fromRate === st.toRate ? st.fromRate : `${st.fromRate}→${st.toRate}`}/s for ${st.durationMs / 1000} s`,
  );
  const plan = [...stages, ...(l.held ? [`${l.held.target} held connections`] : [])].join(', ');
  const handshake = h ? ` p50 ${h.p50} ms, p95 ${h.p95} ms, p99 ${h.p99} ms, max ${h.max} ms` : ': no upgrade';
  const stopped = l.partial ? ` <span class="fail">(stopped early: ${esc(l.stoppedBecause ?? '')})</span>` : '';
  const withCurves = l.sets.some((x) => x.response);
  const heads = ['target', 'credential set', 'attempts', 'expected', 'outcomes', 'unexpected', 'p50 / p95 / p99 ms'];
  return `<h2>Load: ${l.attempts} attempts, ${l.upgrades} upgraded, ${l.unexpected} unexpected${stopped}</h2>
<p class="muted">${esc(plan)}; handshake (to 101 from the scheduled start)${handshake}.</p>
<h3>Over time</h3><div id="load-series" class="chart"></div>
<h3>Outcomes per credential set</h3>${table('load-sets', heads, rows)}
${withCurves ? '<h3>Latency distribution per credential set</h3><div id="load-latency" class="chart"></div>' : ''}
${healthSection(l)}
${held(l)}
${timings(l)}
${processes(l)}`;
}

/** The closed model: how many were held, what dropped (by close code), how the echoes fared. */
function held(l: LoadResult): string {
  const h = l.held;
  if (!h) return '';
  const codes = Object.entries(h.dropCodes).map(([code, n]) => `${code} × ${n}`);
  const closeCodes = codes.length ? ` (close codes: ${esc(codes.join(', '))})` : '';
  const late = h.echoFailed ? ` <span class="fail">(${h.echoFailed} late or lost)</span>` : '';
  const rows: Array<[string, string]> = [
    ['held at peak', num(`${h.peak} of ${h.target}`)],
    ['dropped by the other side (unexpected closes)', num(`${h.dropped}${closeCodes}`, h.dropped ? 'fail' : '')],
    ['messages echoed in time', num(`${h.echoes} of ${h.messages}${late}`)],
    ['messages lost (session.lost)', num(h.lost ?? '–', h.lost ? 'fail' : '')],
    ['echoes changed on the way (session.changed)', num(h.changed ?? '–', h.changed ? 'fail' : '')],
    ['first message round trip p50 / p95 / p99 ms (session.first_rtt)', num(pcts(h.firstRtt))],
    ['message round trip p50 / p95 / p99 ms (session.rtt)', num(pcts(h.rtt))],
    ['closed with a close handshake', num(h.closedClean)],
  ];
  const body = rows.map(([k, v]) => `<tr><th>${k}</th>${v}</tr>`).join('\n');
  const chart = l.series.some((x) => x.echoes !== undefined)
    ? '<h4>Messages over time</h4><div id="load-session" class="chart"></div>'
    : '';
  return `<h3>Held connections</h3><table id="held">\n${body}</table>${chart}`;
}

/** Per second on held connections: echoes, messages lost, drops, and the round-trip p95 through the gateway. */
export function sessionLoadChart(l: LoadResult): LineChart | undefined {
  if (!l.series.some((x) => x.echoes !== undefined)) return undefined;
  return {
    x: l.series.map((x) => x.t + 1),
    xLabel: 'second',
    yLabel: 'per second',
    rightLabel: 'round trip p95 ms',
    lines: [
      { label: 'echoes/s', values: l.series.map((x) => x.echoes ?? null) },
      { label: 'lost/s', values: l.series.map((x) => x.lost ?? null) },
      { label: 'dropped/s', values: l.series.map((x) => x.dropped ?? null) },
      { label: 'round trip p95 ms', values: l.series.map((x) => x.rttP95 ?? null), right: true, width: 1 },
    ],
  };
}

const TIMING_LABELS: Record<(typeof TIMING_NAMES)[number], string> = {
  connect: 'connect',
  tls: 'TLS',
  status: 'to status (from send)',
  upgrade: 'to 101 (from schedule)',
  firstRtt: 'first message RTT',
  rtt: 'message RTT',
};

/** Where load attempts spent their time, per set: each step's p50 / p95 / p99. */
function timings(l: LoadResult): string {
  const names = TIMING_NAMES.filter((n) => l.sets.some((x) => x.timings?.[n]));
  if (names.length === 0) return '';
  const rows = l.sets.map((x) =>
    tr([td(esc(x.target)), td(esc(x.credential)), ...names.map((n) => num(pcts(x.timings?.[n])))]),
  );
  const heads = ['target', 'credential set', ...names.map((n) => TIMING_LABELS[n])];
  return `<h3>Timings under load (p50 / p95 / p99 ms)</h3>${table('load-timings', heads, rows)}`;
}

function processes(l: LoadResult): string {
  const from = l.sourceAddresses.length ? `, from ${esc(l.sourceAddresses.join(' '))}` : '';
  const memory = l.memory
    ? `; resident memory ${mib(l.memory.rssStartBytes)} → at most ${mib(l.memory.rssMaxBytes)} MiB`
    : '';
  const skipped = l.skippedMaxInFlight
    ? `; <span class="fail">${l.skippedMaxInFlight} scheduled attempts skipped at maxInFlight</span>`
    : '';
  return `<p class="muted" id="load-processes">${l.workers} load process(es)${from}${memory}${skipped}.</p>`;
}
