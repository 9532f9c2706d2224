import { mergeSummaries } from '../../metrics/latency-recorder.ts';
import type { CheckResult } from '../../model/conformance.ts';
import type { LatencySummary } from '../../model/histogram.ts';
import type { OverheadResult } from '../../model/overhead.ts';
import type { Summary } from '../../model/summary.ts';
import { CHART_SCRIPT, chartCall, type PercentileChart } from './charts.ts';
import { headRow, num, td, tr } from './elements.ts';
import { esc, page } from './page.ts';
import { percentileCurve } from './percentile-curve.ts';

/** One compared column: a gateway target in one run. */
interface Column {
  label: string;
  target: string;
  summary: Summary;
  overhead?: OverheadResult;
}

/**
 * One self-contained HTML comparing gateways side by side: every authorizing target of every run
 * given (one run with several targets, or several runs). Conformance cells that differ from the
 * first column are highlighted; overhead with its confidence intervals; overlaid latency curves.
 */
export function compareHtml(runs: Array<{ label: string; summary: Summary }>): string {
  const columns = runs.flatMap((run) => {
    const c = run.summary.conformance;
    const targets = c ? [...new Set(c.checks.map((k) => k.target))] : run.summary.targets.map((t) => t.name);
    return targets.map(
      (target): Column => ({
        label: runs.length > 1 ? `${run.label} / ${target}` : target,
        target,
        summary: run.summary,
        overhead: run.summary.overhead?.find((o) => o.auth.target === target),
      }),
    );
  });
  const chart = latencyChart(columns);
  const failedRuns = runs.filter((r) => !r.summary.verdict.passed);
  const verdict = failedRuns.length
    ? `FAIL: ${esc(failedRuns.map((r) => r.label).join(', '))}`
    : 'PASS: every compared run passed';
  const about = runs.map((r) => {
    const s = r.summary;
    return `${esc(r.label)}: scenario ${esc(s.scenario.name)}, ${esc(s.run.startedAt)}, wsgate ${esc(s.tool.version)}`;
  });
  const latency = chart.curves.length
    ? `<h2>Handshake latency distribution</h2><p class="muted">Time to 101 from the scheduled start, per percentile
(log axis, as HDR plots), from the overhead measurement of each gateway.</p><div id="latency" class="chart"></div>`
    : '';
  const body = `<header><h1>wsgate compare: ${esc(columns.map((c) => c.label).join(' vs '))}</h1>
<small>${about.join(' · ')}</small></header>
<main>
<div class="banner ${failedRuns.length ? 'fail' : 'pass'}" id="verdict">${verdict}</div>
${conformanceTable(columns)}
${loadTable(columns)}
${overheadTable(columns)}
${latency}
${securityTable(columns)}
</main>`;
  const script = chart.curves.length
    ? `${CHART_SCRIPT}\n${chartCall('latency', { kind: 'percentiles', data: chart })}`
    : '';
  return page(`wsgate compare: ${columns.map((c) => c.label).join(' vs ')}`, body, script);
}

/** Each gateway's auth-side latency curve, and the first column's baseline for reference. */
function latencyChart(columns: Column[]): PercentileChart {
  const curves = columns.flatMap((c) =>
    c.overhead ? [{ label: `${c.label} (auth)`, curve: percentileCurve(c.overhead.auth.histogram) }] : [],
  );
  const first = columns[0]?.overhead;
  if (first)
    curves.push({ label: `${first.baseline.target} (baseline)`, curve: percentileCurve(first.baseline.histogram) });
  return { curves, yLabel: 'ms', height: 360 };
}

/** The load each gateway took in its run: counts, and the 101 percentiles merged over its credential sets. */
function loadTable(columns: Column[]): string {
  const per = columns.map((c) => {
    const sets = (c.summary.load?.sets ?? []).filter((x) => x.target === c.target);
    if (sets.length === 0) return undefined;
    const outcomes = sets.flatMap((x) => Object.entries(x.outcomes) as Array<[string, number]>);
    const count = (pred: (o: string) => boolean) => outcomes.filter(([o]) => pred(o)).reduce((n, [, k]) => n + k, 0);
    return {
      attempts: sets.reduce((n, x) => n + x.attempts, 0),
      unexpected: sets.reduce((n, x) => n + x.unexpected, 0),
      upgraded: count((o) => o === 'upgraded'),
      denied: count((o) => o.startsWith('http_')),
      errors: count((o) => o !== 'upgraded' && !o.startsWith('http_')),
      upgrade: mergeSummaries(sets.map((x) => x.timings?.upgrade)),
      connect: mergeSummaries(sets.map((x) => x.timings?.connect)),
    };
  });
  if (per.every((p) => p === undefined)) return '';
  type Load = NonNullable<(typeof per)[number]>;
  const row = (label: string, f: (p: Load) => string | number) =>
    tr([`<th>${label}</th>`, ...per.map((p) => num(p ? esc(f(p)) : '–'))]);
  const pct = (x: LatencySummary | undefined, k: 'p50' | 'p95' | 'p99') => (x ? x[k] : '–');
  const rows = [
    row('attempts', (p) => p.attempts),
    row('upgraded', (p) => p.upgraded),
    row('denied (HTTP answer)', (p) => p.denied),
    row('network errors', (p) => p.errors),
    row('unexpected', (p) => p.unexpected),
    row('101 p50 ms', (p) => pct(p.upgrade, 'p50')),
    row('101 p95 ms', (p) => pct(p.upgrade, 'p95')),
    row('101 p99 ms', (p) => pct(p.upgrade, 'p99')),
    row('connect p95 ms', (p) => pct(p.connect, 'p95')),
  ];
  return `<h2>Load: what each gateway took</h2>
<p class="muted">Each gateway's share of its run's load; time to 101 from the attempt's scheduled start.</p>
<table id="load-compare">${headRow(['', ...columns.map((c) => c.label)])}
${rows.join('\n')}</table>`;
}

function conformanceTable(columns: Column[]): string {
  const sets = [...new Set(columns.flatMap((c) => (c.summary.conformance?.checks ?? []).map((k) => k.credential)))];
  if (sets.length === 0) return '';
  const cell = (c: Column, set: string): CheckResult | undefined =>
    c.summary.conformance?.checks.find((k) => k.target === c.target && k.credential === set);
  const rows = sets.map((set) => {
    const first = cell(columns[0]!, set);
    const tds = columns.map((c) => {
      const k = cell(c, set);
      if (!k) return td('–');
      const seen = k.seen === undefined ? 'not run' : k.seen === 'upgraded' ? '101 upgrade' : k.seen;
      const cls = k.status === 'failed' ? 'failed' : first && k.seen !== first.seen ? 'differs' : '';
      const title = k.reasons.length ? ` title="${esc(k.reasons.join('; '))}"` : '';
      const mark = k.status === 'failed' ? ' <span class="fail">✗</span>' : '';
      return `<td class="${cls}"${title}>${esc(seen)}${mark}</td>`;
    });
    const state = first && first.authState !== 'ok' ? `, auth ${first.authState}` : '';
    return tr([`<th>${esc(set)} <small>(verdict ${esc(first?.verdict ?? '')}${esc(state)})</small></th>`, ...tds]);
  });
  return `<h2>Conformance: what each gateway answered</h2>
<p class="muted">Highlighted: differs from ${esc(columns[0]!.label)}; red: the check failed (hover for why).</p>
<table id="conformance">${headRow(['credential set', ...columns.map((c) => c.label)])}
${rows.join('\n')}</table>`;
}

function overheadTable(columns: Column[]): string {
  const withOverhead = columns.filter((c) => c.overhead);
  if (withOverhead.length === 0) return '';
  const ms = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '–');
  const rows = withOverhead.map((c) => {
    const o = c.overhead!;
    const diffs = o.differences.map((d) => num(`${ms(d.diff)} <small>[${ms(d.ciLow)}, ${ms(d.ciHigh)}]</small>`));
    const p95 = (v: number) => num(Number.isFinite(v) ? v.toFixed(3) : '–');
    return tr([
      `<th>${esc(c.label)}</th>`,
      ...diffs,
      p95(o.baseline.percentiles.p95),
      p95(o.auth.percentiles.p95),
      num(`${o.auth.upgraded}/${o.auth.attempts}`),
    ]);
  });
  const heads = withOverhead[0]!.overhead!.differences.map((d) => `overhead p${d.percentile} ms [95% CI]`);
  return `<h2>Auth overhead</h2><p class="muted">Auth minus baseline handshake latency, interleaved rounds,
95% bootstrap intervals. An interval that includes 0 cannot tell overhead from noise.</p>
<table id="overhead">${headRow(['gateway', ...heads, 'p95 baseline ms', 'p95 with auth ms', 'upgraded'])}
${rows.join('\n')}</table>`;
}

function securityTable(columns: Column[]): string {
  const withSec = columns.filter((c) => c.summary.security);
  if (withSec.length === 0) return '';
  const probes = [
    ...new Set(
      withSec.flatMap((c) => c.summary.security!.probes.filter((p) => p.target === c.target).map((p) => p.probe)),
    ),
  ];
  const rows = probes.map((probe) => {
    const tds = withSec.map((c) => {
      const p = c.summary.security!.probes.find((x) => x.target === c.target && x.probe === probe);
      if (!p) return td('–');
      const title = p.reasons.length ? ` title="${esc(p.reasons.join('; '))}"` : '';
      return `<td class="${p.status === 'failed' ? 'failed' : ''}"${title}>${esc(p.status.replace('_', ' '))}</td>`;
    });
    return tr([`<th>${esc(probe)}</th>`, ...tds]);
  });
  return `<h2>Security probes</h2><table id="security">${headRow(['probe', ...withSec.map((c) => c.label)])}
${rows.join('\n')}</table>`;
}
