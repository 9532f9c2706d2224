import { type LatencySummary, mergeSummaries } from '../../metrics/latency-recorder.ts';
import type { CheckResult } from '../../model/conformance.ts';
import type { OverheadResult } from '../../model/overhead.ts';
import type { Summary } from '../../model/summary.ts';
import { esc, page, scriptJson } from './page.ts';
import { type Curve, percentileCurve } from './percentile-curve.ts';

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
  const columns: Column[] = [];
  for (const run of runs) {
    const targets = run.summary.conformance
      ? [...new Set(run.summary.conformance.checks.map((c) => c.target))]
      : run.summary.targets.map((t) => t.name);
    for (const target of targets) {
      const overhead = run.summary.overhead?.find((o) => o.auth.target === target);
      columns.push({
        label: runs.length > 1 ? `${run.label} / ${target}` : target,
        target,
        summary: run.summary,
        overhead,
      });
    }
  }
  const curves: Array<{ label: string; curve: Curve }> = [];
  for (const c of columns) {
    if (c.overhead) curves.push({ label: `${c.label} (auth)`, curve: percentileCurve(c.overhead.auth.histogram) });
  }
  if (columns[0]?.overhead)
    curves.push({
      label: `${columns[0].overhead.baseline.target} (baseline)`,
      curve: percentileCurve(columns[0].overhead.baseline.histogram),
    });

  const failedRuns = runs.filter((r) => !r.summary.verdict.passed);
  const body = `<header><h1>wsgate compare: ${esc(columns.map((c) => c.label).join(' vs '))}</h1>
<small>${runs.map((r) => `${esc(r.label)}: scenario ${esc(r.summary.scenario.name)}, ${esc(r.summary.run.startedAt)}, wsgate ${esc(r.summary.tool.version)}`).join(' · ')}</small></header>
<main>
<div class="banner ${failedRuns.length ? 'fail' : 'pass'}" id="verdict">${failedRuns.length ? `FAIL: ${esc(failedRuns.map((r) => r.label).join(', '))}` : 'PASS: every compared run passed'}</div>
${conformanceTable(columns)}
${loadTable(columns)}
${overheadTable(columns)}
${curves.length ? '<h2>Handshake latency distribution</h2><p class="muted">Time to 101 from the scheduled start, per percentile (log axis, as HDR plots), from the overhead measurement of each gateway.</p><div id="latency" class="chart"></div>' : ''}
${securityTable(columns)}
</main>`;
  const script = curves.length
    ? `const curves=${scriptJson(curves)};
const colors=['#0969da','#cf222e','#1a7f37','#8250df','#bc4c00','#57606a','#d4a72c'];
const xs=curves[0].curve.x;
const data=[xs,...curves.map(c=>xs.map((x,i)=>c.curve.y[i]))];
new uPlot({width:Math.min(1100,document.body.clientWidth-60),height:360,
  scales:{x:{distr:3,log:10}},
  axes:[{label:'percentile',splits:()=>[1,2,10,100,1000,10000],values:(u,v)=>v.map(x=>({1:'0%',2:'50%',10:'90%',100:'99%',1000:'99.9%',10000:'99.99%'})[x]||'')},{label:'ms'}],
  series:[{label:'percentile',value:(u,x)=>x==null?'':(100-100/x).toFixed(3)+'%'},...curves.map((c,i)=>({label:c.label,stroke:colors[i%colors.length],width:2,value:(u,v)=>v==null?'':v.toFixed(3)+' ms'}))]
},data,document.getElementById('latency'));`
    : '';
  return page(`wsgate compare: ${columns.map((c) => c.label).join(' vs ')}`, body, script);
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
  const row = (label: string, f: (p: NonNullable<(typeof per)[number]>) => string | number) =>
    `<tr><th>${label}</th>${per.map((p) => `<td class="num">${p ? esc(f(p)) : '–'}</td>`).join('')}</tr>`;
  const pct = (x: LatencySummary | undefined, k: 'p50' | 'p95' | 'p99') => (x ? x[k] : '–');
  return `<h2>Load: what each gateway took</h2><p class="muted">Each gateway's share of its run's load; time to 101 from the attempt's scheduled start.</p>
<table id="load-compare"><tr><th></th>${columns.map((c) => `<th>${esc(c.label)}</th>`).join('')}</tr>
${row('attempts', (p) => p.attempts)}${row('upgraded', (p) => p.upgraded)}${row('denied (HTTP answer)', (p) => p.denied)}${row('network errors', (p) => p.errors)}${row('unexpected', (p) => p.unexpected)}
${row('101 p50 ms', (p) => pct(p.upgrade, 'p50'))}${row('101 p95 ms', (p) => pct(p.upgrade, 'p95'))}${row('101 p99 ms', (p) => pct(p.upgrade, 'p99'))}${row('connect p95 ms', (p) => pct(p.connect, 'p95'))}</table>`;
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
      if (!k) return '<td>–</td>';
      const seen = k.seen === undefined ? 'not run' : k.seen === 'upgraded' ? '101 upgrade' : k.seen;
      const cls = k.status === 'failed' ? 'failed' : first && k.seen !== first.seen ? 'differs' : '';
      const title = k.reasons.length ? ` title="${esc(k.reasons.join('; '))}"` : '';
      return `<td class="${cls}"${title}>${esc(seen)}${k.status === 'failed' ? ' <span class="fail">✗</span>' : ''}</td>`;
    });
    const verdict = first?.verdict ?? '';
    const state = first && first.authState !== 'ok' ? `, auth ${first.authState}` : '';
    return `<tr><th>${esc(set)} <small>(verdict ${esc(verdict)}${esc(state)})</small></th>${tds.join('')}</tr>`;
  });
  return `<h2>Conformance: what each gateway answered</h2><p class="muted">Highlighted: differs from ${esc(columns[0]!.label)}; red: the check failed (hover for why).</p>
<table id="conformance"><tr><th>credential set</th>${columns.map((c) => `<th>${esc(c.label)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function overheadTable(columns: Column[]): string {
  const withOverhead = columns.filter((c) => c.overhead);
  if (withOverhead.length === 0) return '';
  const ms = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '–');
  const rows = withOverhead.map((c) => {
    const o = c.overhead!;
    const diffs = o.differences
      .map((d) => `<td class="num">${ms(d.diff)} <small>[${ms(d.ciLow)}, ${ms(d.ciHigh)}]</small></td>`)
      .join('');
    return `<tr><th>${esc(c.label)}</th>${diffs}<td class="num">${o.baseline.percentiles.p95.toFixed(3)}</td><td class="num">${o.auth.percentiles.p95.toFixed(3)}</td><td class="num">${o.auth.upgraded}/${o.auth.attempts}</td></tr>`;
  });
  const heads = withOverhead[0]!
    .overhead!.differences.map((d) => `<th>overhead p${d.percentile} ms [95% CI]</th>`)
    .join('');
  return `<h2>Auth overhead</h2><p class="muted">Auth minus baseline handshake latency, interleaved rounds, 95% bootstrap intervals. An interval that includes 0 cannot tell overhead from noise.</p>
<table id="overhead"><tr><th>gateway</th>${heads}<th>p95 baseline ms</th><th>p95 with auth ms</th><th>upgraded</th></tr>${rows.join('')}</table>`;
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
      if (!p) return '<td>–</td>';
      const cls = p.status === 'failed' ? 'failed' : '';
      return `<td class="${cls}"${p.reasons.length ? ` title="${esc(p.reasons.join('; '))}"` : ''}>${esc(p.status.replace('_', ' '))}</td>`;
    });
    return `<tr><th>${esc(probe)}</th>${tds.join('')}</tr>`;
  });
  return `<h2>Security probes</h2><table id="security"><tr><th>probe</th>${withSec.map((c) => `<th>${esc(c.label)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}
