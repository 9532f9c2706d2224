import type { CapacityResult, CapacityStep } from '../../model/capacity.ts';

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;

/** One capacity step in a line: offered rate, what came back, the generator, the verdict. */
export function capacityStepLine(s: CapacityStep): string {
  const hs = s.handshake ? `p95 ${s.handshake.p95} ms` : 'no upgrade';
  const gen = s.generator
    ? `gen late p99 ${s.generator.lateP99} ms, cpu ${Math.round(s.generator.cpu * 100)}%`
    : 'gen not measured';
  const target =
    s.saturation.targetCpu !== undefined ? `, target cpu ${Math.round(s.saturation.targetCpu * 100)}%` : '';
  const mark = s.passed ? 'held ' : s.broke === 'generator' ? 'GEN  ' : 'BROKE';
  return (
    `${mark} ${String(s.rate).padStart(6)}/s${s.refining ? ' (closing in)' : ''}: ${s.upgradesPerSecond} upgrades/s, ` +
    `${hs}, errors ${pct(s.errorShare)}; ${gen}${target}${s.why ? ` — ${s.why}` : ''}`
  );
}

/** The probe's answer in a line: the sustainable rate, or why there is none. */
export function capacityHeadline(c: CapacityResult): string {
  const value = c.sustainable !== undefined ? `${c.sustainable} attempts/s sustainable` : 'no sustainable rate found';
  return `${value} (stopped by ${c.stoppedBy.replace('_', ' ')})`;
}
