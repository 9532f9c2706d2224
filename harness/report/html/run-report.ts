import type { Summary } from '../../model/summary.ts';
import { CHART_SCRIPT, chartCall } from './charts.ts';
import { esc, page } from './page.ts';
import { capacityChart, capacitySection } from './sections/capacity.ts';
import { comparisonChart, comparisonSection } from './sections/comparison.ts';
import { conformanceSection, conformanceTimingsSection } from './sections/conformance.ts';
import { healthChart } from './sections/health.ts';
import { lifecycleCharts, lifecycleSection } from './sections/lifecycle.ts';
import { loadCharts, loadSection, sessionLoadChart } from './sections/load.ts';
import { environmentSection, runnersSection, securitySection, thresholdsSection } from './sections/other.ts';
import { overheadChart, overheadSection } from './sections/overhead.ts';
import { sessionSection } from './sections/session.ts';

/**
 * `index.html` of a run: verdict banner, thresholds, conformance matrix with expandable evidence,
 * load over time, overhead with its intervals and latency curves, security probes, environment.
 * Reads the (masked) summary only.
 */
export function runReportHtml(s: Summary): string {
  const v = s.verdict;
  const partial = s.partial ? ` · partial run: ${esc(s.partialReason ?? '')}` : '';
  const verdict = `${v.passed ? 'PASS' : 'FAIL'} · exit ${v.exitCode}${partial}`;
  const failures = v.failures.map((f) => `<li class="fail">${esc(f)}</li>`).join('');
  const segment = s.segment && s.segment.of > 1 ? ` · segment ${s.segment.index}/${s.segment.of}` : '';
  const subtitle = `${esc(s.scenario.description ?? '')} · run ${esc(s.run.id)} · ${esc(s.run.command)}${segment}`;
  const body = `<header><h1>wsgate: ${esc(s.scenario.name)}</h1><small>${subtitle}</small></header>
<main>
<div class="banner ${v.passed ? 'pass' : 'fail'}" id="verdict">${verdict}</div>
${v.failures.length ? `<ul id="failures">${failures}</ul>` : ''}
${thresholdsSection(s)}
${runnersSection(s)}
${conformanceSection(s)}
${conformanceTimingsSection(s)}
${sessionSection(s)}
${loadSection(s)}
${overheadSection(s)}
${comparisonSection(s)}
${capacitySection(s)}
${securitySection(s)}
${lifecycleSection(s)}
${environmentSection(s)}
</main>`;
  const calls: string[] = [];
  if (s.load) {
    const charts = loadCharts(s.load);
    calls.push(chartCall('load-series', { kind: 'lines', data: charts.series }));
    calls.push(chartCall('load-latency', { kind: 'percentiles', data: charts.latency }));
    calls.push(chartCall('load-health', { kind: 'lines', data: healthChart(s.load) }));
    const session = sessionLoadChart(s.load);
    if (session) calls.push(chartCall('load-session', { kind: 'lines', data: session }));
  }
  if (s.overhead?.length) calls.push(chartCall('latency', { kind: 'percentiles', data: overheadChart(s) }));
  const capacity = capacityChart(s);
  if (capacity) calls.push(chartCall('capacity-chart', { kind: 'lines', data: capacity }));
  if (s.comparison) calls.push(chartCall('comparison-latency', { kind: 'percentiles', data: comparisonChart(s) }));
  if (s.lifecycle)
    for (const c of lifecycleCharts(s.lifecycle)) calls.push(chartCall(c.id, { kind: 'lines', data: c.chart }));
  return page(`wsgate ${s.scenario.name}: ${v.passed ? 'PASS' : 'FAIL'}`, body, `${CHART_SCRIPT}\n${calls.join('\n')}`);
}
