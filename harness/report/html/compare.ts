import { type CrossRunDifference, compareRuns, MIN_RUNS } from '../../analysis/compare-runs.ts';
import { mergeSummaries } from '../../metrics/latency-recorder.ts';
import type { ComparisonResult } from '../../model/comparison.ts';
import type { CheckResult } from '../../model/conformance.ts';
import type { LatencySummary } from '../../model/histogram.ts';
import type { OverheadResult } from '../../model/overhead.ts';
import type { Summary } from '../../model/summary.ts';
import { differenceText, verdictWords } from '../text/comparison.ts';
import { CHART_SCRIPT, chartCall, type PercentileChart } from './charts.ts';
import { lifecycleCompareTable } from './compare-lifecycle.ts';
import { headRow, num, table, td, tr } from './elements.ts';
import { esc, page } from './page.ts';
import { percentileCurve } from './percentile-curve.ts';
import { sessionCompareTable } from './sections/session.ts';

/** One side of a comparison: one run, or several runs of one configuration (oldest first). */
export interface CompareSide {
  label: string;
  runs: Summary[];
}

/** One compared column: a gateway target of one side; `summary` is the side's latest run. */
interface Column {
  label: string;
  target: string;
  summary: Summary;
  runs: Summary[];
  overhead?: OverheadResult;
}

/**
 * One self-contained HTML comparing gateways side by side: every authorizing target of every side
 * given (one run with several targets, several runs, or folders of runs). A measured comparison
 * (the `compare:` block) shows each difference with its interval and verdict; separate runs are
 * said to be not interleaved, and judged only with enough runs per side. Conformance cells that
 * differ from the first column are highlighted; overhead with its confidence intervals.
 */
export function compareHtml(sides: readonly CompareSide[]): string {
  const runs = sides.map((side) => ({ label: side.label, summary: side.runs[side.runs.length - 1]!, all: side.runs }));
  const columns = runs.flatMap((run) => {
    const c = run.summary.conformance;
    const targets = c ? [...new Set(c.checks.map((k) => k.target))] : run.summary.targets.map((t) => t.name);
    return targets.map(
      (target): Column => ({
        label: runs.length > 1 ? `${run.label} / ${target}` : target,
        target,
        summary: run.summary,
        runs: run.all,
        overhead: run.summary.overhead?.find((o) => o.auth.target === target),
      }),
    );
  });
  const chart = latencyChart(columns);
  const failedRuns = runs.filter((r) => !r.summary.verdict.passed);
  const measured = runs.flatMap((r) =>
    r.summary.comparison ? [measuredTable(r.label, r.summary.comparison, runs.length > 1)] : [],
  );
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
${measured.join('\n')}
${conformanceTable(columns)}
${sessionCompareTable(columns)}
${loadTable(columns, runs.length > 1)}
${overheadTable(columns)}
${latency}
${securityTable(columns)}
${lifecycleCompareTable(columns)}
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

/** A measured comparison of one run: per target and percentile, both values, the difference and the verdict. */
function measuredTable(label: string, c: ComparisonResult, several: boolean): string {
  const side = (target: string) => c.sides.find((x) => x.target === target);
  const rows = c.differences.map((d) => {
    const key = `p${d.percentile}` as const;
    const value = (t: string) =>
      num(Number.isFinite(side(t)?.percentiles[key] ?? Number.NaN) ? side(t)!.percentiles[key].toFixed(3) : '–');
    const cls = d.verdict === 'slower' ? 'failed' : d.verdict === 'faster' ? 'differs' : '';
    return tr(
      [
        td(esc(d.target)),
        td(`p${d.percentile}`),
        value(d.versus),
        value(d.target),
        num(esc(differenceText(d))),
        td(esc(verdictWords(d))),
      ],
      cls,
    );
  });
  const heads = ['target', 'percentile', `${c.reference} ms`, 'target ms', 'difference [interval]', 'verdict'];
  return `<h2>Measured comparison${several ? `: ${esc(label)}` : ''}</h2>
<p class="muted">Interleaved: ${esc(c.method.description)}</p>
${table('measured', heads, rows)}`;
}

/**
 * The load each gateway took: counts, and the time to 101 per percentile. Columns from separate runs
 * were not interleaved; with one run per side each value shows its own sampling interval and no
 * verdict, with 3 or more runs per side the run-to-run spread decides (analysis/compare-runs.ts).
 */
function loadTable(columns: Column[], separateRuns: boolean): string {
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
      connect: mergeSummaries(sets.map((x) => x.timings?.connect)),
    };
  });
  if (per.every((p) => p === undefined)) return '';
  type Load = NonNullable<(typeof per)[number]>;
  const row = (label: string, f: (p: Load) => string | number) =>
    tr([`<th>${label}</th>`, ...per.map((p) => num(p ? esc(f(p)) : '–'))]);
  const latency = compareRuns(columns.map((c) => ({ label: c.label, target: c.target, runs: c.runs }))).map((r) => {
    const cells = r.cells.map((x, i) => {
      if (!x) return num('–');
      const runs =
        (x.values.length > 1 ? ` <small>(median of ${x.values.length} runs)</small>` : '') +
        (x.invalid ? ` <small>(${x.invalid} invalid run(s) left out: generator saturated)</small>` : '');
      const interval = x.interval
        ? ` <small>[${x.interval.low.toFixed(3)}, ${x.interval.high.toFixed(3)}]</small>`
        : '';
      const d = r.differences[i];
      const judged = d ? `<div><small>${esc(crossRunWords(d))}</small></div>` : '';
      return num(`${x.median.toFixed(3)}${interval}${runs}${judged}`, d?.verdict === 'slower' ? 'failed' : '');
    });
    return tr([`<th>${esc(r.metric)} ms</th>`, ...cells]);
  });
  const p95 = (x: LatencySummary | undefined) => (x ? x.p95 : '–');
  const rows = [
    row('attempts', (p) => p.attempts),
    row('upgraded', (p) => p.upgraded),
    row('denied (HTTP answer)', (p) => p.denied),
    row('network errors', (p) => p.errors),
    row('unexpected', (p) => p.unexpected),
    ...latency,
    row('connect p95 ms', (p) => p95(p.connect)),
  ];
  const note = separateRuns
    ? `<p class="muted" id="not-interleaved">These columns come from separate runs, which were not interleaved: whatever
the machine did between them is part of any difference. With one run per side no verdict is given (each value shows
its own sampling interval); with ${MIN_RUNS} or more runs per side the run-to-run spread is measured and judged.
For a measured A/B, add a compare: block to one scenario.</p>`
    : "<p class=\"muted\">Each gateway's share of one run's load; time to 101 from the attempt's scheduled start.</p>";
  return `<h2>Load: what each gateway took</h2>
${note}
<table id="load-compare">${headRow(['', ...columns.map((c) => c.label)])}
${rows.join('\n')}</table>`;
}

function crossRunWords(d: CrossRunDifference): string {
  const s = (v: number | undefined) =>
    v === undefined || !Number.isFinite(v) ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const interval = d.ciLow !== undefined ? ` [${s(d.ciLow)}, ${s(d.ciHigh)}]` : '';
  const words: Record<CrossRunDifference['verdict'], string> = {
    faster: 'faster',
    slower: 'slower',
    no_difference: 'no detectable difference',
    not_enough_runs: `no verdict: fewer than ${MIN_RUNS} runs per side`,
    no_data: 'no data',
  };
  return `${s(d.diff)} ms${interval}: ${words[d.verdict]}`;
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
