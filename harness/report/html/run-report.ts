import type { CheckResult } from '../../check/conformance.ts';
import type { Summary } from '../../results/summary.ts';
import { esc, page, scriptJson } from './page.ts';
import { percentileCurve } from './percentile-curve.ts';

/**
 * `index.html` of a run: verdict banner, conformance matrix with expandable evidence, overhead with
 * its intervals and latency curves, security probes, environment. Reads the (masked) summary only.
 */
export function runReportHtml(s: Summary): string {
  const curves = (s.overhead ?? []).flatMap((o) => [
    { label: `${o.baseline.target} (baseline)`, curve: percentileCurve(o.baseline.histogram) },
    { label: `${o.auth.target} (auth)`, curve: percentileCurve(o.auth.histogram) },
  ]);
  const v = s.verdict;
  const body = `<header><h1>wsgate: ${esc(s.scenario.name)}</h1><small>${esc(s.scenario.description ?? '')} · run ${esc(s.run.id)} · ${esc(s.run.command)}</small></header>
<main>
<div class="banner ${v.passed ? 'pass' : 'fail'}" id="verdict">${v.passed ? 'PASS' : 'FAIL'} · exit ${v.exitCode}${s.partial ? ` · partial run: ${esc(s.partialReason ?? '')}` : ''}</div>
${v.failures.length ? `<ul id="failures">${v.failures.map((f) => `<li class="fail">${esc(f)}</li>`).join('')}</ul>` : ''}
${thresholds(s)}
${conformance(s)}
${overhead(s, curves.length > 0)}
${security(s)}
${environment(s)}
</main>`;
  const script = curves.length
    ? `const curves=${scriptJson(curves)};
const colors=['#57606a','#0969da','#8c959f','#cf222e','#afb8c1','#1a7f37'];
const xs=curves[0].curve.x;
new uPlot({width:Math.min(1100,document.body.clientWidth-60),height:340,scales:{x:{distr:3,log:10}},
  axes:[{label:'percentile',splits:()=>[1,2,10,100,1000,10000],values:(u,v)=>v.map(x=>({1:'0%',2:'50%',10:'90%',100:'99%',1000:'99.9%',10000:'99.99%'})[x]||'')},{label:'ms'}],
  series:[{label:'percentile',value:(u,x)=>x==null?'':(100-100/x).toFixed(3)+'%'},...curves.map((c,i)=>({label:c.label,stroke:colors[i%colors.length],width:2,value:(u,v)=>v==null?'':v.toFixed(3)+' ms'}))]
},[xs,...curves.map(c=>c.curve.y)],document.getElementById('latency'));`
    : '';
  return page(`wsgate ${s.scenario.name}: ${v.passed ? 'PASS' : 'FAIL'}`, body, script);
}

function thresholds(s: Summary): string {
  if (s.thresholds.length === 0) return '';
  const rows = s.thresholds.map((t) => {
    const result = t.skipped ? `<span class="muted">skipped: ${esc(t.skipped)}</span>` : t.passed ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>';
    return `<tr><td><code>${esc(t.source)}</code></td><td class="num">${t.actual === undefined ? 'not measured' : esc(round(t.actual))}</td><td>${result}</td></tr>`;
  });
  return `<h2>Thresholds</h2><table id="thresholds"><tr><th>threshold</th><th>measured</th><th>result</th></tr>${rows.join('')}</table>`;
}

function conformance(s: Summary): string {
  const c = s.conformance;
  if (!c) return '';
  const rows = c.checks.map((k) => `<tr class="${k.status === 'failed' ? 'failed' : ''}"><td>${esc(k.target)}</td><td>${esc(k.credential)}</td><td class="num">${esc(k.verdict)}${k.authState !== 'ok' ? ` <small>(auth ${esc(k.authState)})</small>` : ''}</td><td>${esc(k.expected.join(' / '))}</td><td>${esc(k.seen ?? 'not run')}</td><td>${k.backend.checked ? (k.backend.reached ? 'yes' : 'no') : '–'}</td><td class="${k.status === 'passed' ? 'pass' : k.status === 'failed' ? 'fail' : 'muted'}">${esc(k.status.replace('_', ' '))}</td><td>${evidence(k)}</td></tr>`);
  return `<h2>Conformance: ${c.passed} passed, ${c.failed} failed, ${c.notRun} not run</h2>
<table id="conformance"><tr><th>target</th><th>credential set</th><th>auth verdict</th><th>expected</th><th>client saw</th><th>backend reached</th><th>result</th><th>evidence</th></tr>${rows.join('')}</table>`;
}

function evidence(k: CheckResult): string {
  const e = k.evidence;
  const lines: string[] = [...k.reasons.map((r) => `<div class="fail">${esc(r)}</div>`)];
  if (e) {
    if (e.statusLine) lines.push(`<div><b>${esc(e.statusLine)}</b></div>`);
    for (const [h, val] of Object.entries(e.headers)) lines.push(`<div><code>${esc(h)}: ${esc(val)}</code></div>`);
    if (e.bodySnippet) lines.push(`<div>body: <code>${esc(e.bodySnippet)}</code></div>`);
    lines.push(`<div class="muted">timings ms: ${esc(Object.entries(e.timings).map(([t, ms]) => `${t.replace(/Ms$/, '')} ${ms}`).join(', '))}</div>`);
    if (e.echo) lines.push(`<div>echo: ${e.echo.ok ? 'ok' : esc(e.echo.problem ?? 'failed')}</div>`);
  }
  if (k.backend.forwardedHeaders) lines.push(`<div class="muted">backend saw: ${esc(Object.keys(k.backend.forwardedHeaders).join(', '))}</div>`);
  return lines.length ? `<details><summary>show</summary>${lines.join('')}</details>` : '';
}

function overhead(s: Summary, withChart: boolean): string {
  if (!s.overhead?.length) return '';
  const ms = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '–');
  const tables = s.overhead.map((o) => {
    const diffs = o.differences.map((d) => `<tr><td>p${d.percentile}</td><td class="num">${o.baseline.percentiles[`p${d.percentile}`].toFixed(3)}</td><td class="num">${o.auth.percentiles[`p${d.percentile}`].toFixed(3)}</td><td class="num">${ms(d.diff)}</td><td class="num">[${ms(d.ciLow)}, ${ms(d.ciHigh)}]</td></tr>`);
    const dec = o.decomposition?.split?.length
      ? `<table><tr><th></th><th>total overhead ms</th><th>auth service ms</th><th>gateway adds ms</th></tr>${o.decomposition.split.map((p) => `<tr><td>p${p.percentile}</td><td class="num">${ms(p.total)}</td><td class="num">${Number.isFinite(p.authService) ? p.authService.toFixed(3) : '–'}</td><td class="num">${ms(p.gatewayAdded)}</td></tr>`).join('')}</table>`
      : '';
    return `<h3>${esc(o.auth.target)} vs ${esc(o.baseline.target)}</h3><table class="overhead"><tr><th></th><th>baseline ms</th><th>with auth ms</th><th>overhead ms</th><th>95% CI</th></tr>${diffs.join('')}</table>${dec}<p class="muted">${esc(o.method.description)}</p>`;
  });
  return `<h2>Auth overhead</h2>${tables.join('')}${withChart ? '<h3>Handshake latency distribution</h3><div id="latency" class="chart"></div>' : ''}`;
}

function security(s: Summary): string {
  const sec = s.security;
  if (!sec) return '';
  const rows = sec.probes.map((p) => `<tr class="${p.status === 'failed' ? 'failed' : ''}"><td>${esc(p.target)}</td><td><code>${esc(p.probe)}</code></td><td>${esc(p.title)}</td><td>${esc(p.status === 'not_run' ? '–' : p.seen)}</td><td class="${p.status === 'passed' ? 'pass' : p.status === 'failed' ? 'fail' : 'muted'}">${esc(p.status.replace('_', ' '))}${p.reasons.length ? `<div>${esc(p.reasons.join('; '))}</div>` : ''}</td></tr>`);
  return `<h2>Security probes: ${sec.passed} passed, ${sec.failed} failed, ${sec.notRun} not run</h2><table id="security"><tr><th>target</th><th>probe</th><th>checks that</th><th>seen</th><th>result</th></tr>${rows.join('')}</table>`;
}

function environment(s: Summary): string {
  const e = s.environment;
  const rows: Array<[string, string]> = [
    ['wsgate', s.tool.version],
    ['git commit', e.gitCommit ?? '–'],
    ['Node.js', e.node],
    ['CPU', `${e.cpus} x ${e.cpuModel}`],
    ['platform', `${e.platform} ${e.arch}`],
    ['scenario', `${s.scenario.file} (sha256 ${s.scenario.hash.slice(0, 16)}…)`],
    ['started', s.run.startedAt],
    ['ended', `${s.run.endedAt} (${(s.run.durationMs / 1000).toFixed(1)} s)`],
  ];
  return `<h2>Environment</h2><table id="environment">${rows.map(([k, val]) => `<tr><th>${esc(k)}</th><td>${esc(val)}</td></tr>`).join('')}</table>`;
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
