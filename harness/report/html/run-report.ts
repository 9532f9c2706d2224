import type { LatencySummary } from '../../metrics/latency-recorder.ts';
import type { CheckResult } from '../../model/conformance.ts';
import { type LoadResult, TIMING_NAMES } from '../../model/load.ts';
import type { Summary } from '../../model/summary.ts';
import { esc, page, scriptJson } from './page.ts';
import { percentileCurve } from './percentile-curve.ts';

/**
 * `index.html` of a run: verdict banner, conformance matrix with expandable evidence, overhead with
 * its intervals and latency curves, security probes, environment. Reads the (masked) summary only.
 */
export function runReportHtml(s: Summary): string {
  const loadCurves = (s.load?.sets ?? [])
    .filter((x) => x.response)
    .map((x) => ({ label: `${x.target} / ${x.credential}`, curve: percentileCurve(x.response!.histogram) }));
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
${phases(s)}
${load(s, loadCurves.length > 0)}
${overhead(s, curves.length > 0)}
${security(s)}
${environment(s)}
</main>`;
  const script =
    `${LOAD_SCRIPT}
const load=${scriptJson(s.load ? { series: s.load.series, curves: loadCurves } : null)};
if(load){drawSeries(load.series);drawCurves('load-latency',load.curves);}
` +
    (curves.length
      ? `const curves=${scriptJson(curves)};
const colors=['#57606a','#0969da','#8c959f','#cf222e','#afb8c1','#1a7f37'];
const xs=curves[0].curve.x;
new uPlot({width:Math.min(1100,document.body.clientWidth-60),height:340,scales:{x:{distr:3,log:10}},
  axes:[{label:'percentile',splits:()=>[1,2,10,100,1000,10000],values:(u,v)=>v.map(x=>({1:'0%',2:'50%',10:'90%',100:'99%',1000:'99.9%',10000:'99.99%'})[x]||'')},{label:'ms'}],
  series:[{label:'percentile',value:(u,x)=>x==null?'':(100-100/x).toFixed(3)+'%'},...curves.map((c,i)=>({label:c.label,stroke:colors[i%colors.length],width:2,value:(u,v)=>v==null?'':v.toFixed(3)+' ms'}))]
},[xs,...curves.map(c=>c.curve.y)],document.getElementById('latency'));`
      : '');
  return page(`wsgate ${s.scenario.name}: ${v.passed ? 'PASS' : 'FAIL'}`, body, script);
}

/** Chart code for the load sections: per-second series and per-set latency curves. */
const LOAD_SCRIPT = `
const palette=['#0969da','#1a7f37','#cf222e','#8250df','#bc4c00','#57606a'];
function width(){return Math.min(1100,document.body.clientWidth-60);}
function drawSeries(series){
  const xs=series.map(s=>s.t+1);
  new uPlot({width:width(),height:260,scales:{x:{time:false},open:{}},axes:[{label:'second'},{label:'per second'},{scale:'open',side:1,label:'open connections',grid:{show:false}}],
    series:[{label:'second'},{label:'attempts/s',stroke:palette[0],width:2},{label:'upgrades/s',stroke:palette[1],width:2},{label:'errors/s',stroke:palette[2],width:2},{label:'open',scale:'open',stroke:palette[3],width:1,dash:[4,4]}]},
    [xs,series.map(s=>s.attempts),series.map(s=>s.upgrades),series.map(s=>s.errors),series.map(s=>s.open)],document.getElementById('load-series'));
}
function drawCurves(id,curves){
  if(!curves.length)return;
  const xs=curves[0].curve.x;
  new uPlot({width:width(),height:300,scales:{x:{distr:3,log:10}},
    axes:[{label:'percentile',splits:()=>[1,2,10,100,1000,10000],values:(u,v)=>v.map(x=>({1:'0%',2:'50%',10:'90%',100:'99%',1000:'99.9%',10000:'99.99%'})[x]||'')},{label:'ms from scheduled start'}],
    series:[{label:'percentile',value:(u,x)=>x==null?'':(100-100/x).toFixed(3)+'%'},...curves.map((c,i)=>({label:c.label,stroke:palette[i%palette.length],width:2,value:(u,v)=>v==null?'':v.toFixed(3)+' ms'}))]},
    [xs,...curves.map(c=>c.curve.y)],document.getElementById(id));
}`;

/** Where conformance attempts spent their time, phase by phase (connect, TLS, to 101, first echo). */
function phases(s: Summary): string {
  const rows = (s.conformance?.checks ?? []).filter((k) => k.evidence?.timings.upgradeMs !== undefined);
  if (rows.length === 0) return '';
  const ms = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
  return `<h2>Handshake phases (conformance attempts)</h2><table id="phases"><tr><th>target</th><th>credential set</th><th>connect ms</th><th>TLS ms</th><th>to status ms</th><th>to 101 ms</th><th>first echo ms</th></tr>${rows
    .map((k) => {
      const t = k.evidence!.timings;
      return `<tr><td>${esc(k.target)}</td><td>${esc(k.credential)}</td><td class="num">${ms(t.connectMs)}</td><td class="num">${ms(t.tlsMs)}</td><td class="num">${ms(t.statusMs)}</td><td class="num">${ms(t.upgradeMs)}</td><td class="num">${ms(t.echoMs)}</td></tr>`;
    })
    .join('')}</table>`;
}

function load(s: Summary, withCurves: boolean): string {
  const l = s.load;
  if (!l) return '';
  const rows = l.sets.map(
    (x) =>
      `<tr class="${x.unexpected ? 'failed' : ''}"><td>${esc(x.target)}</td><td>${esc(x.credential)}</td><td class="num">${x.attempts}</td><td>${esc(x.expected.join(' / '))}</td><td>${esc(
        Object.entries(x.outcomes)
          .map(([o, n]) => `${o} ${n}`)
          .join(', '),
      )}</td><td class="num">${x.unexpected}</td><td class="num">${x.response ? `${x.response.p50} / ${x.response.p95} / ${x.response.p99}` : '–'}</td></tr>`,
  );
  const h = l.handshake;
  return `<h2>Load: ${l.attempts} attempts, ${l.upgrades} upgraded, ${l.unexpected} unexpected${l.partial ? ` <span class="fail">(stopped early: ${esc(l.stoppedBecause ?? '')})</span>` : ''}</h2>
<p class="muted">${esc([...l.stages.map((st) => (st.fromRate === st.toRate ? `${st.fromRate}/s` : `${st.fromRate}→${st.toRate}/s`) + ` for ${st.durationMs / 1000} s`), ...(l.held ? [`${l.held.target} held connections`] : [])].join(', '))}; handshake (to 101 from the scheduled start)${h ? ` p50 ${h.p50} ms, p95 ${h.p95} ms, p99 ${h.p99} ms, max ${h.max} ms` : ': no upgrade'}.</p>
<h3>Over time</h3><div id="load-series" class="chart"></div>
<h3>Outcomes per credential set</h3><table id="load-sets"><tr><th>target</th><th>credential set</th><th>attempts</th><th>expected</th><th>outcomes</th><th>unexpected</th><th>p50 / p95 / p99 ms</th></tr>${rows.join('')}</table>
${withCurves ? '<h3>Latency distribution per credential set</h3><div id="load-latency" class="chart"></div>' : ''}
${held(l)}
${loadTimings(l)}
<p class="muted" id="load-processes">${l.workers} load process(es)${l.sourceAddresses.length ? `, from ${esc(l.sourceAddresses.join(' '))}` : ''}${l.memory ? `; resident memory ${mib(l.memory.rssStartBytes)} → at most ${mib(l.memory.rssMaxBytes)} MiB` : ''}${l.skippedMaxInFlight ? `; <span class="fail">${l.skippedMaxInFlight} scheduled attempts skipped at maxInFlight</span>` : ''}.</p>`;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const pcts = (x: LatencySummary | undefined) => (x ? `${x.p50} / ${x.p95} / ${x.p99}` : '–');

/** The closed model: how many were held, what dropped (by close code), how the echoes fared. */
function held(l: LoadResult): string {
  const h = l.held;
  if (!h) return '';
  const codes = Object.entries(h.dropCodes)
    .map(([code, n]) => `${code} × ${n}`)
    .join(', ');
  return `<h3>Held connections</h3><table id="held">
<tr><th>held at peak</th><td class="num">${h.peak} of ${h.target}</td></tr>
<tr><th>dropped by the other side</th><td class="num ${h.dropped ? 'fail' : ''}">${h.dropped}${codes ? ` (close codes: ${esc(codes)})` : ''}</td></tr>
<tr><th>messages echoed</th><td class="num">${h.echoes} of ${h.messages}${h.echoFailed ? ` <span class="fail">(${h.echoFailed} late or lost)</span>` : ''}</td></tr>
<tr><th>first echo p50 / p95 / p99 ms</th><td class="num">${pcts(h.firstEcho)}</td></tr>
<tr><th>message round trip p50 / p95 / p99 ms</th><td class="num">${pcts(h.messageRtt)}</td></tr>
<tr><th>closed with a close handshake</th><td class="num">${h.closedClean}</td></tr></table>`;
}

/** Where load attempts spent their time, per set: each step's p50 / p95 / p99. */
function loadTimings(l: LoadResult): string {
  if (!l.sets.some((x) => x.timings && Object.keys(x.timings).length > 0)) return '';
  const names = TIMING_NAMES.filter((n) => l.sets.some((x) => x.timings?.[n]));
  const label: Record<(typeof TIMING_NAMES)[number], string> = {
    connect: 'connect',
    tls: 'TLS',
    status: 'to status (from send)',
    upgrade: 'to 101 (from schedule)',
    firstEcho: 'first echo',
    message: 'message RTT',
  };
  const rows = l.sets.map(
    (x) =>
      `<tr><td>${esc(x.target)}</td><td>${esc(x.credential)}</td>${names.map((n) => `<td class="num">${pcts(x.timings?.[n])}</td>`).join('')}</tr>`,
  );
  return `<h3>Phases under load (p50 / p95 / p99 ms)</h3><table id="load-phases"><tr><th>target</th><th>credential set</th>${names.map((n) => `<th>${label[n]}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function thresholds(s: Summary): string {
  if (s.thresholds.length === 0) return '';
  const rows = s.thresholds.map((t) => {
    const result = t.skipped
      ? `<span class="muted">skipped: ${esc(t.skipped)}</span>`
      : t.passed
        ? '<span class="pass">pass</span>'
        : '<span class="fail">FAIL</span>';
    return `<tr><td><code>${esc(t.source)}</code></td><td class="num">${t.actual === undefined ? 'not measured' : esc(round(t.actual))}</td><td>${result}</td></tr>`;
  });
  return `<h2>Thresholds</h2><table id="thresholds"><tr><th>threshold</th><th>measured</th><th>result</th></tr>${rows.join('')}</table>`;
}

function conformance(s: Summary): string {
  const c = s.conformance;
  if (!c) return '';
  const rows = c.checks.map(
    (k) =>
      `<tr class="${k.status === 'failed' ? 'failed' : ''}"><td>${esc(k.target)}</td><td>${esc(k.credential)}</td><td class="num">${esc(k.verdict)}${k.authState !== 'ok' ? ` <small>(auth ${esc(k.authState)})</small>` : ''}</td><td>${esc(k.expected.join(' / '))}</td><td>${esc(k.seen ?? 'not run')}</td><td>${k.backend.checked ? (k.backend.reached ? 'yes' : 'no') : '–'}</td><td class="${k.status === 'passed' ? 'pass' : k.status === 'failed' ? 'fail' : 'muted'}">${esc(k.status.replace('_', ' '))}</td><td>${evidence(k)}</td></tr>`,
  );
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
    lines.push(
      `<div class="muted">timings ms: ${esc(
        Object.entries(e.timings)
          .map(([t, ms]) => `${t.replace(/Ms$/, '')} ${ms}`)
          .join(', '),
      )}</div>`,
    );
    if (e.echo) lines.push(`<div>echo: ${e.echo.ok ? 'ok' : esc(e.echo.problem ?? 'failed')}</div>`);
  }
  if (k.backend.forwardedHeaders)
    lines.push(`<div class="muted">backend saw: ${esc(Object.keys(k.backend.forwardedHeaders).join(', '))}</div>`);
  return lines.length ? `<details><summary>show</summary>${lines.join('')}</details>` : '';
}

function overhead(s: Summary, withChart: boolean): string {
  if (!s.overhead?.length) return '';
  const ms = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '–');
  const tables = s.overhead.map((o) => {
    const diffs = o.differences.map(
      (d) =>
        `<tr><td>p${d.percentile}</td><td class="num">${o.baseline.percentiles[`p${d.percentile}`].toFixed(3)}</td><td class="num">${o.auth.percentiles[`p${d.percentile}`].toFixed(3)}</td><td class="num">${ms(d.diff)}</td><td class="num">[${ms(d.ciLow)}, ${ms(d.ciHigh)}]</td></tr>`,
    );
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
  const rows = sec.probes.map(
    (p) =>
      `<tr class="${p.status === 'failed' ? 'failed' : ''}"><td>${esc(p.target)}</td><td><code>${esc(p.probe)}</code></td><td>${esc(p.title)}</td><td>${esc(p.status === 'not_run' ? '–' : p.seen)}</td><td class="${p.status === 'passed' ? 'pass' : p.status === 'failed' ? 'fail' : 'muted'}">${esc(p.status.replace('_', ' '))}${p.reasons.length ? `<div>${esc(p.reasons.join('; '))}</div>` : ''}</td></tr>`,
  );
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
