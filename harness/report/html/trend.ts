import type { MetricTrend } from '../../history/regression.ts';
import type { Summary } from '../../model/summary.ts';
import { CHART_SCRIPT, chartCall } from './charts.ts';
import { esc, page } from './page.ts';

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
  const name = esc(history[history.length - 1]?.scenario.name ?? '');
  const span = `${history.length} runs, ${esc(runs[0]?.at ?? '')} to ${esc(runs[runs.length - 1]?.at ?? '')}`;
  const verdict = regressions.length
    ? `REGRESSION in ${regressions.length} metric(s)`
    : 'No regression: the latest run is within the noise of the recent window';
  const listed = regressions.map((r) => `<li class="fail">${esc(r.regression)}</li>`).join('');
  const charts = groups.map(
    (g, i) => `<h2>${esc(g.map((t) => t.metric).join(', '))}</h2><div id="chart-${i}" class="chart"></div>`,
  );
  const rows = runs.map((r) => {
    const result = `<td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASS' : 'FAIL'}</td>`;
    return `<tr><td>${esc(r.id)}</td><td>${esc(r.at)}</td>${result}</tr>`;
  });
  const body = `<header><h1>wsgate trend: ${name}</h1><small>${span}</small></header>
<main>
<div class="banner ${regressions.length ? 'fail' : 'pass'}" id="verdict">${verdict}</div>
${regressions.length ? `<ul id="regressions">${listed}</ul>` : ''}
<p class="muted">Rule: the latest run regresses on a metric when it is worse than the median of the previous 7
runs by more than max(3 x MAD, 10% of the median, a small floor). Overhead values are the upper bounds of their
95% intervals.</p>
${charts.join('\n')}
<h2>Runs</h2><table id="runs"><tr><th>run</th><th>started</th><th>verdict</th></tr>${rows.join('')}</table>
</main>`;
  const calls = groups.map((g, i) =>
    chartCall(`chart-${i}`, {
      kind: 'lines',
      data: {
        x: history.map((_, k) => k + 1),
        xLabel: 'run',
        yLabel: '',
        height: 240,
        lines: g.map((t) => ({ label: t.metric, values: t.values })),
      },
    }),
  );
  const script = `${CHART_SCRIPT}\n${calls.join('\n')}`;
  return page(`wsgate trend${regressions.length ? ': REGRESSION' : ''}`, body, script);
}
