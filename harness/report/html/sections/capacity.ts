import type { Summary } from '../../../model/summary.ts';
import type { LineChart } from '../charts.ts';
import { num, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

/** The capacity probe: its verdict, and per step what was offered, what came back and who kept up. */
export function capacitySection(s: Summary): string {
  const c = s.capacity;
  if (!c) return '';
  const rows = c.steps.map((st) =>
    tr(
      [
        num(`${st.rate}${st.refining ? ' ↔' : ''}`),
        num(st.upgradesPerSecond),
        num(st.handshake ? `${st.handshake.p50} / ${st.handshake.p95} / ${st.handshake.p99}` : '–'),
        num(pct(st.errorShare)),
        num(st.generator ? `${st.generator.lateP99} / ${st.generator.loopP99}` : '–'),
        num(st.generator ? pct(st.generator.cpu) : '–'),
        num(st.saturation.targetCpu !== undefined ? pct(st.saturation.targetCpu) : '–'),
        td(st.passed ? 'held' : esc(`${st.broke}: ${st.why ?? ''}`), st.passed ? 'pass' : 'fail'),
      ],
      st.passed ? '' : 'failed',
    ),
  );
  const good = c.stoppedBy === 'latency' || c.stoppedBy === 'errors' || c.stoppedBy === 'max_rate';
  return `<section id="capacity"><h2>Capacity of ${esc(c.targets.join(', '))}</h2>
<div class="banner ${good ? 'pass' : 'fail'}" id="capacity-verdict">${esc(c.verdict)}</div>
<p>Bounds a step keeps: time to 101 p95 ≤ ${c.bounds.p95Ms} ms (from the scheduled start) and at most
${pct(c.bounds.errorShare)} of attempts not answered as expected, with the generator keeping its schedule. Steps of
${c.plan.stepMs / 1000} s from ${c.plan.fromRate}/s, ×${c.plan.factor} each, up to ${c.plan.maxRate}/s; ↔ marks a step
closing in between the last rate that held and the first that broke.</p>
${table(
  'capacity-steps',
  [
    'offered /s',
    'upgrades /s',
    'time to 101 p50 / p95 / p99 ms',
    'errors',
    'generator late p99 / loop p99 ms',
    'generator cpu',
    'target cpu',
    'result',
  ],
  rows,
)}
<div id="capacity-chart" class="chart"></div></section>`;
}

/** Per step: offered and achieved rate, and the p95 against its bound. */
export function capacityChart(s: Summary): LineChart | undefined {
  const c = s.capacity;
  if (!c || c.steps.length === 0) return undefined;
  return {
    x: c.steps.map((_, i) => i + 1),
    xLabel: 'step',
    integerX: true,
    yLabel: 'attempts / s',
    rightLabel: 'ms',
    lines: [
      { label: 'offered /s', values: c.steps.map((st) => st.rate) },
      { label: 'upgrades /s', values: c.steps.map((st) => st.upgradesPerSecond) },
      { label: 'time to 101 p95 ms', values: c.steps.map((st) => st.handshake?.p95 ?? null), right: true },
      { label: 'p95 bound ms', values: c.steps.map(() => c.bounds.p95Ms), right: true, dash: [4, 4], width: 1 },
    ],
  };
}
