import type { Summary } from '../../../model/summary.ts';
import { differenceText, verdictWords } from '../../text/comparison.ts';
import type { PercentileChart } from '../charts.ts';
import { num, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';
import { percentileCurve } from '../percentile-curve.ts';

/** The measured comparison: per target and percentile, both values, the difference and its verdict. */
export function comparisonSection(s: Summary): string {
  const c = s.comparison;
  if (!c) return '';
  const value = (target: string, key: `p${50 | 90 | 95 | 99}`) => {
    const v = c.sides.find((x) => x.target === target)?.percentiles[key];
    return num(v !== undefined && Number.isFinite(v) ? v.toFixed(3) : '–');
  };
  const rows = c.differences.map((d) =>
    tr(
      [
        td(esc(d.target)),
        td(`p${d.percentile}`),
        value(d.versus, `p${d.percentile}`),
        value(d.target, `p${d.percentile}`),
        num(esc(differenceText(d))),
        td(esc(verdictWords(d)), d.verdict === 'slower' ? 'fail' : d.verdict === 'faster' ? 'pass' : ''),
      ],
      d.verdict === 'slower' ? 'failed' : '',
    ),
  );
  const sides = c.sides.map((x) => `${esc(x.target)} ${x.upgraded}/${x.attempts} upgraded`).join(', ');
  const partial = c.partial ? ' <span class="fail">(interrupted: partial)</span>' : '';
  const heads = ['target', 'percentile', `${c.reference} ms`, 'target ms', 'difference [interval]', 'verdict'];
  return `<h2>Comparison against ${esc(c.reference)}${partial}</h2>
<p class="muted">${esc(c.method.description)} ${sides}.</p>
${table('comparison', heads, rows)}
<h3>Handshake latency distribution per target</h3><div id="comparison-latency" class="chart"></div>`;
}

/** Every compared target's latency curve. */
export function comparisonChart(s: Summary): PercentileChart {
  return {
    curves: (s.comparison?.sides ?? []).map((x) => ({ label: x.target, curve: percentileCurve(x.histogram) })),
    yLabel: 'ms from scheduled start',
  };
}
