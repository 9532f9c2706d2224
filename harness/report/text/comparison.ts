import type { ComparisonDifference, ComparisonResult } from '../../model/comparison.ts';

/** What a verdict reads as, for people: benchstat's "~" is "no detectable difference" here. */
export function verdictWords(d: Pick<ComparisonDifference, 'verdict' | 'detectable'>): string {
  switch (d.verdict) {
    case 'faster':
      return 'faster';
    case 'slower':
      return 'slower';
    case 'not_enough_data':
      return 'not enough data';
    default:
      return `no detectable difference (could have seen ±${d.detectable.toFixed(3)} ms)`;
  }
}

/** `+1.234 ms [+0.9, +1.6]` */
export function differenceText(d: Pick<ComparisonDifference, 'diff' | 'ciLow' | 'ciHigh'>): string {
  const s = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : 'n/a');
  return `${s(d.diff)} ms [${s(d.ciLow)}, ${s(d.ciHigh)}]`;
}

/** The comparison as text for a terminal: per target and percentile, both values, the difference and the verdict. */
export function formatComparison(r: ComparisonResult): string {
  const lines = [
    `comparison: ${r.sides.map((s) => s.target).join(', ')} against ${r.reference}, credential ${r.credential}, ` +
      `${r.roundsCompleted}/${r.method.rounds} interleaved rounds x ${r.method.attemptsPerRound} attempts per target` +
      (r.partial ? ' (interrupted: partial)' : ''),
  ];
  const ref = r.sides.find((s) => s.target === r.reference);
  for (const d of r.differences) {
    const side = r.sides.find((s) => s.target === d.target);
    const key = `p${d.percentile}` as const;
    const values = `${ref?.percentiles[key].toFixed(3)} -> ${side?.percentiles[key].toFixed(3)} ms`;
    lines.push(`  ${d.target} vs ${d.versus} p${d.percentile}: ${values}, ${differenceText(d)}: ${verdictWords(d)}`);
  }
  if (r.problem) lines.push(`  problem: ${r.problem}`);
  return lines.join('\n');
}
