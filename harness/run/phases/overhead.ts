import type { MetricValues } from '../../model/metrics.ts';
import type { Outcome } from '../../model/outcome.ts';
import type { OverheadResult, OverheadSide } from '../../model/overhead.ts';
import { saysUnreachable } from '../../outcome/reachability.ts';
import { measureOverhead } from '../../overhead/measure.ts';
import { emptyOutput, type Phase, type PhaseOutput } from '../phase.ts';

/**
 * The overhead phase, for `run` when the scenario has an `overhead:` block: interleaved rounds,
 * differences with confidence intervals, decomposition, for each baseline/auth pair. Puts each
 * difference's CI upper bound (the worst pair's) in the metrics as `overhead.p50` … `overhead.p99`,
 * so a threshold passes only when the overhead is below its limit with 95% confidence.
 */
export const overheadPhase: Phase = {
  name: 'overhead',
  async run(ctx) {
    const results: OverheadResult[] = [];
    for (const setup of ctx.plan.overhead ?? []) {
      if (ctx.signal.aborted) break;
      ctx.events.overheadStarted?.(setup);
      const result = await measureOverhead(setup, {
        signal: ctx.signal,
        onRound: (r, of) => ctx.events.overheadRound?.(r, of),
      });
      results.push(result);
      ctx.events.overheadDone?.(result);
      if (result.decomposition?.crossCheck && !result.decomposition.crossCheck.agrees) {
        ctx.events.warning?.(
          `overhead: ${setup.auth.name}'s Server-Timing auth duration and autocannon's direct measurement of the ` +
            `authorization URL disagree at p50; see the decomposition`,
        );
      }
    }
    const out = judgeOverhead(results);
    out.sections.overhead = results;
    return out;
  },
};

/** What the overhead pairs mean for the run: the worst pair's interval bounds as metrics, lost attempts. */
export function judgeOverhead(results: readonly OverheadResult[]): PhaseOutput {
  const out = emptyOutput();
  const worst: MetricValues = {};
  for (const result of results) {
    // With several pairs, a threshold judges the worst one.
    for (const d of result.differences) {
      const key = `overhead.p${d.percentile}` as const;
      if (Number.isFinite(d.ciHigh)) worst[key] = Math.max(worst[key] ?? -Infinity, d.ciHigh);
    }
    judge(result, out.failures, out.fatal);
  }
  out.metrics = worst;
  return out;
}

/**
 * A measurement that lost attempts is not an overhead number: say so (exit 1), or exit 3 when a side was unreachable.
 */
function judge(result: OverheadResult, failures: string[], fatal: string[]): void {
  for (const side of [result.baseline, result.auth]) {
    const failed = side.attempts - side.upgraded;
    const outcomes = Object.keys(side.outcomes) as Outcome[];
    if (
      side.attempts > 0 &&
      failed === side.attempts &&
      outcomes.every((o) => saysUnreachable(o, 'tls-is-unreachable'))
    ) {
      fatal.push(`overhead: target ${side.target} could not be reached (${describe(side)})`);
    } else if (failed > 0) {
      failures.push(
        `overhead: ${failed} of ${side.attempts} attempts to ${side.target} did not upgrade (` +
          `${describe(side)}); their latency is not in the overhead`,
      );
    }
  }
  if (result.problem) failures.push(`overhead: ${result.problem}`);
}

function describe(side: OverheadSide): string {
  return Object.entries(side.outcomes)
    .map(([o, n]) => `${o} ${n}`)
    .join(', ');
}
