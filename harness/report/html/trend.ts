import type { MetricTrend } from '../../history/regression.ts';
import type { Summary } from '../../model/summary.ts';
import { esc, page, scriptJson } from './page.ts';

/** Metrics drawn as charts, in this order, when the history has them. */
const CHARTED = [
  /^handshake\.p(50|95|99)$/,
  /^overhead\.p(50|95|99)$/,
  /^upgrade_rate$/,
  /^(unexpected_outcomes|checks_failed|security\.failed)$/,
];

/** The nightly trend report: one chart per metric group over the runs, regressions called out. */
export function trendHtml(history: Summary[], trends: MetricTrend[]): string {
  const regressions = trends.filter((t) => t.regression);
  const groups = CHARTED.map((re) => trends.filter((t) => re.test(t.metric))).filter((g) => g.length > 0);
  const runs = history.map((s) => ({ id: s.run.id, at: s.run.startedAt, passed: s.verdict.passed }));
  const body = `<header><h1>wsgate trend: ${esc(history[history.length - 1]?.scenario.name ?? '')}</h1><small>${history.length} runs, ${esc(runs[0]?.at ?? '')} to ${esc(runs[runs.length - 1]?.at ?? '')}</small></header>
<main>
<div class="banner ${regressions.length ? 'fail' : 'pass'}" id="verdict">${regressions.length ? `REGRESSION in ${regressions.length} metric(s)` : 'No regression: the latest run is within the noise of the recent window'}</div>
${regressions.length ? `<ul id="regressions">${regressions.map((r) => `<li class="fail">${esc(r.regression)}</li>`).join('')}</ul>` : ''}
<p class="muted">Rule: the latest run regresses on a metric when it is worse than the median of the previous 7 runs by more than max(3 x MAD, 10% of the median, a small floor). Overhead values are the upper bounds of their 95% intervals.</p>
${groups.map((g, i) => `<h2>${esc(g.map((t) => t.metric).join(', '))}</h2><div id="chart-${i}" class="chart"></div>`).join('')}
<h2>Runs</h2><table id="runs"><tr><th>run</th><th>started</th><th>verdict</th></tr>${runs.map((r) => `<tr><td>${esc(r.id)}</td><td>${esc(r.at)}</td><td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASS' : 'FAIL'}</td></tr>`).join('')}</table>
</main>`;
  const script = `const groups=${scriptJson(groups.map((g) => g.map((t) => ({ metric: t.metric, values: t.values }))))};
const colors=['#0969da','#cf222e','#1a7f37','#8250df'];
const n=groups.length?groups[0][0].values.length:0;
const xs=Array.from({length:n},(_,i)=>i+1);
groups.forEach((g,gi)=>new uPlot({width:Math.min(1100,document.body.clientWidth-60),height:240,scales:{x:{time:false}},
  axes:[{label:'run'},{}],
  series:[{label:'run'},...g.map((t,i)=>({label:t.metric,stroke:colors[i%colors.length],width:2,spanGaps:true}))]
},[xs,...g.map(t=>t.values)],document.getElementById('chart-'+gi)));`;
  return page(`wsgate trend${regressions.length ? ': REGRESSION' : ''}`, body, script);
}
