import type { LoadResult } from '../../../model/load.ts';
import type { LineChart } from '../charts.ts';
import { num, table, td, tr } from '../elements.ts';
import { esc } from '../page.ts';

const pct = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v * 100)}%`);

/** Who kept up: the generator's health, the target's and the machine's CPU, and the verdict. */
export function healthSection(l: LoadResult): string {
  const g = l.generator;
  const s = l.saturation;
  if (!g && !s) return '';
  const words: Record<NonNullable<typeof s>['side'], string> = {
    none: 'both sides kept up',
    generator: 'the generator was saturated: the run is invalid, its numbers describe wsgate, not the target',
    target: 'the target was saturated',
    both: 'the generator and the target were saturated: the run is invalid',
  };
  const bad = s?.side === 'generator' || s?.side === 'both';
  const verdict = s
    ? `<div class="banner ${bad ? 'fail' : 'pass'}" id="saturation">${esc(words[s.side])}</div>
${s.reasons.length ? `<ul>${s.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}`
    : '';
  const rows = g
    ? [
        tr([
          td('started late (p50 / p99 / max ms)'),
          num(g.late ? `${g.late.p50} / ${g.late.p99} / ${g.late.max}` : '–'),
        ]),
        tr([td(`starts later than ${g.lateBoundMs} ms`), num(`${g.lateBeyondBound} of ${g.late?.count ?? 0}`)]),
        tr([
          td('event-loop delay (p50 / p99 / max ms)'),
          num(`${g.loopDelay.p50} / ${g.loopDelay.p99} / ${g.loopDelay.max}`),
        ]),
        tr([
          td('load processes: CPU (user / system ms), busiest core'),
          num(`${g.cpu.userMs} / ${g.cpu.systemMs}, ${pct(g.cpu.busiestShare)}`),
        ]),
        tr([td('load processes: CPU priority (nice)'), num(g.nice !== undefined ? String(g.nice) : '–')]),
        tr([td('target: busiest process over the load'), num(pct(s?.targetCpu))]),
        tr([td('machine: busy over the load'), num(pct(s?.hostCpu))]),
      ]
    : [];
  return `<h3>Who kept up: generator, target, machine</h3>
${verdict}
${table('generator', ['', 'measured'], rows)}
<div id="load-health" class="chart"></div>`;
}

/** Per second: how late the generator started attempts, its loop delay, and the CPU of each side. */
export function healthChart(l: LoadResult): LineChart {
  const x = l.series.map((s) => s.t + 1);
  const share = (v: number | undefined) => (v === undefined ? null : Math.round(v * 1000) / 10);
  return {
    x,
    xLabel: 'second',
    yLabel: 'ms',
    rightLabel: '% of a core (machine: of all)',
    lines: [
      { label: 'start lateness p99 ms', values: l.series.map((s) => s.lateP99 ?? null) },
      { label: 'loop delay p99 ms', values: l.series.map((s) => s.loopP99 ?? null) },
      { label: 'generator cpu %', values: l.series.map((s) => share(s.cpu)), right: true, width: 1 },
      { label: 'target cpu %', values: l.series.map((s) => share(s.targetCpu)), right: true, width: 1 },
      { label: 'machine cpu %', values: l.series.map((s) => share(s.hostCpu)), right: true, dash: [4, 4], width: 1 },
    ],
  };
}
