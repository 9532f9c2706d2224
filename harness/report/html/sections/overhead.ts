import type { OverheadResult } from '../../../model/overhead.ts';
import type { Summary } from '../../../model/summary.ts';
import type { PercentileChart } from '../charts.ts';
import { headRow, num, td, tr } from '../elements.ts';
import { esc } from '../page.ts';
import { percentileCurve } from '../percentile-curve.ts';

const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '–');
const plain = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

/** The overhead curves: every pair's baseline and auth latency distribution. */
export function overheadChart(s: Summary): PercentileChart {
  const curves = (s.overhead ?? []).flatMap((o) => [
    { label: `${o.baseline.target} (baseline)`, curve: percentileCurve(o.baseline.histogram) },
    { label: `${o.auth.target} (auth)`, curve: percentileCurve(o.auth.histogram) },
  ]);
  return {
    curves,
    yLabel: 'ms',
    height: 340,
    colors: ['#57606a', '#0969da', '#8c959f', '#cf222e', '#afb8c1', '#1a7f37'],
  };
}

/** Auth overhead per baseline/auth pair: differences with intervals, decomposition, method. */
export function overheadSection(s: Summary): string {
  if (!s.overhead?.length) return '';
  const chart = '<h3>Handshake latency distribution</h3><div id="latency" class="chart"></div>';
  return `<h2>Auth overhead</h2>${s.overhead.map(pair).join('\n')}${chart}`;
}

function pair(o: OverheadResult): string {
  const diffs = o.differences.map((d) =>
    tr([
      td(`p${d.percentile}`),
      num(plain(o.baseline.percentiles[`p${d.percentile}`])),
      num(plain(o.auth.percentiles[`p${d.percentile}`])),
      num(signed(d.diff)),
      num(`[${signed(d.ciLow)}, ${signed(d.ciHigh)}]`),
    ]),
  );
  const split = o.decomposition?.split ?? [];
  const dec = split.length
    ? `<table>${headRow(['', 'total overhead ms', 'auth service ms', 'gateway adds ms'])}${split
        .map((p) =>
          tr([td(`p${p.percentile}`), num(signed(p.total)), num(plain(p.authService)), num(signed(p.gatewayAdded))]),
        )
        .join('')}</table>`
    : '';
  const head = headRow(['', 'baseline ms', 'with auth ms', 'overhead ms', '95% CI']);
  return `<h3>${esc(o.auth.target)} vs ${esc(o.baseline.target)}</h3>
<table class="overhead">${head}${diffs.join('')}</table>${dec}<p class="muted">${esc(o.method.description)}</p>`;
}
