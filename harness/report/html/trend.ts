import type { Summary } from '../../model/summary.ts';
import type { MetricTrend, TrendReport } from '../../model/trend.ts';
import { CHART_SCRIPT, chartCall } from './charts.ts';
import { num, table, td, tr } from './elements.ts';
import { esc, page } from './page.ts';

/** Metrics drawn as charts, in this order, when the history has them (every judged metric is in the table). */
const CHARTED = [
  /^handshake\.p(50|95|99)$/,
  /^overhead\.p(50|95|99)$/,
  /^upgrade_rate$/,
  /^(unexpected_outcomes|checks_failed|security\.failed)$/,
];

/**
 * The nightly trend report: regressions with their effect sizes, a chart per metric over the runs
 * (x = run number, with its date in the table) with the band the latest run is judged against and
 * the latest run's own interval, and a table of every metric's status.
 */
export function trendHtml(history: readonly Summary[], report: TrendReport): string {
  const regressions = report.metrics.filter((t) => t.regression);
  const charted = CHARTED.flatMap((re) => report.metrics.filter((t) => re.test(t.metric)));
  const runs = history.map((s, i) => ({ n: i + 1, id: s.run.id, at: s.run.startedAt, passed: s.verdict.passed }));
  const name = esc(history[history.length - 1]?.scenario.name ?? '');
  const span = `${history.length} runs, ${esc(runs[0]?.at ?? '')} to ${esc(runs[runs.length - 1]?.at ?? '')}`;
  const verdict = regressions.length
    ? `REGRESSION in ${regressions.length} metric(s)`
    : `No regression: the latest run is within the noise of the previous ${report.window} runs`;
  const listed = regressions.map((r) => `<li class="fail">${esc(r.regression!.message)}</li>`).join('');
  const charts = charted.map(
    (t, i) => `<h3>${esc(t.metric)}${t.regression ? ' <span class="fail">regressed</span>' : ''}</h3>
<div id="chart-${i}" class="chart"></div>`,
  );
  const runRows = runs.map((r) =>
    tr([num(r.n), td(esc(r.id)), td(esc(r.at)), td(r.passed ? 'PASS' : 'FAIL', r.passed ? 'pass' : 'fail')]),
  );
  const body = `<header><h1>wsgate trend: ${name}</h1><small>${span}</small></header>
<main>
<div class="banner ${regressions.length ? 'fail' : 'pass'}" id="verdict">${verdict}</div>
${regressions.length ? `<ul id="regressions">${listed}</ul>` : ''}
<p class="muted">Rule (README "Trends"): the latest run regresses on a metric when it is worse than the median of
the previous ${report.window} runs by more than the band (a Student t multiple of how much runs vary, set so that
identical runs raise a false alarm on any of the ${report.judged} judged metrics at most
${report.falseAlarmRate * 100}% of the time) and by more than the metric's tolerance. Charts show each run's value,
the band of the earlier runs and the latest run's own sampling interval.</p>
${charts.join('\n')}
<h2>Every metric</h2>${metricsTable(report.metrics)}
<h2>Runs</h2>${table('runs', ['run', 'id', 'started', 'verdict'], runRows)}
</main>`;
  const x = runs.map((r) => r.n);
  const calls = charted.map((t, i) => chartCall(`chart-${i}`, { kind: 'lines', data: lineChart(t, x) }));
  return page(`wsgate trend${regressions.length ? ': REGRESSION' : ''}`, body, `${CHART_SCRIPT}\n${calls.join('\n')}`);
}

/** One metric over the runs, with the judged band over the earlier runs and the latest's interval. */
function lineChart(t: MetricTrend, x: number[]) {
  const last = x.length - 1;
  const inBand = (i: number) => t.band !== undefined && i < last && i >= last - t.band.runs;
  const latestInterval = t.intervals[last];
  return {
    x,
    xLabel: 'run',
    yLabel: '',
    height: 240,
    integerX: true,
    lines: [
      { label: t.metric, values: t.values },
      { label: 'band high', values: x.map((_, i) => (inBand(i) ? t.band!.high : null)), dash: [4, 4], width: 1 },
      { label: 'band low', values: x.map((_, i) => (inBand(i) ? t.band!.low : null)), dash: [4, 4], width: 1 },
      {
        label: 'latest interval high',
        values: x.map((_, i) => (i === last && latestInterval ? latestInterval.high : null)),
      },
      {
        label: 'latest interval low',
        values: x.map((_, i) => (i === last && latestInterval ? latestInterval.low : null)),
      },
    ],
  };
}

function metricsTable(metrics: readonly MetricTrend[]): string {
  const round = (v: number | null | undefined) =>
    v === null || v === undefined ? '–' : String(Math.round(v * 1000) / 1000);
  const rows = metrics.map((t) => {
    const latest = t.values[t.values.length - 1];
    const band = t.band ? `${round(t.band.median)} [${round(t.band.low)}, ${round(t.band.high)}]` : '–';
    const effect = t.regression
      ? `${round(t.regression.effect)} [${round(t.regression.effectLow)}, ${round(t.regression.effectHigh)}]`
      : '–';
    const status = t.regression
      ? 'REGRESSION'
      : t.status === 'judged'
        ? 'within the noise'
        : t.status.replace(/_/g, ' ');
    return tr(
      [
        td(`<code>${esc(t.metric)}</code>`),
        num(round(latest)),
        num(band),
        num(effect),
        td(esc(status)),
        td(esc(t.note ?? '')),
      ],
      t.regression ? 'failed' : '',
    );
  });
  return table(
    'metrics',
    ['metric', 'latest', 'earlier runs: median [band]', 'worse by [95%]', 'status', 'note'],
    rows,
  );
}
