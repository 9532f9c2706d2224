import { measureComparison } from '../../comparison/measure.ts';
import type { ComparisonResult } from '../../model/comparison.ts';
import type { Outcome } from '../../model/outcome.ts';
import { saysUnreachable } from '../../outcome/reachability.ts';
import { emptyOutput, type Phase, type PhaseOutput } from '../phase.ts';

/**
 * The comparison phase, for `run` when the scenario has a `compare:` block: the targets measured
 * as an interleaved A/B. Counts verdicts as `comparison.slower` / `comparison.faster`, so a CI gate
 * can say "no gateway slower than the reference" with a threshold.
 */
export const comparisonPhase: Phase = {
  name: 'comparison',
  async run(ctx) {
    const setup = ctx.plan.compare!;
    ctx.events.comparisonStarted?.(setup);
    const result = await measureComparison(setup, {
      signal: ctx.signal,
      onRound: (r, of) => ctx.events.comparisonRound?.(r, of),
    });
    const out = judgeComparison(result);
    out.sections.comparison = result;
    ctx.events.comparisonDone?.(result);
    return out;
  },
};

/** What the comparison means for the run: its verdict counts, and sides that lost attempts or were unreachable. */
export function judgeComparison(result: ComparisonResult): PhaseOutput {
  const out = emptyOutput();
  out.metrics = {
    'comparison.slower': result.differences.filter((d) => d.verdict === 'slower').length,
    'comparison.faster': result.differences.filter((d) => d.verdict === 'faster').length,
  };
  for (const side of result.sides) {
    const failed = side.attempts - side.upgraded;
    const outcomes = Object.entries(side.outcomes)
      .map(([o, n]) => `${o} ${n}`)
      .join(', ');
    if (
      side.attempts > 0 &&
      failed === side.attempts &&
      Object.keys(side.outcomes).every((o) => saysUnreachable(o as Outcome, 'tls-is-unreachable'))
    ) {
      out.fatal.push(`comparison: target ${side.target} could not be reached (${outcomes})`);
    } else if (failed > 0) {
      out.failures.push(
        `comparison: ${failed} of ${side.attempts} attempts to ${side.target} did not upgrade (` +
          `${outcomes}); their latency is not compared`,
      );
    }
  }
  if (result.problem) out.failures.push(`comparison: ${result.problem}`);
  return out;
}
