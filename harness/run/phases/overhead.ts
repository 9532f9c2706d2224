import type { Outcome } from '../../model/outcome.ts';
import type { Phase } from '../phase.ts';
import { formatOverhead } from '../../report/text/overhead.ts';
import { measureOverhead } from '../../overhead/measure.ts';
import type { OverheadResult, OverheadSide } from '../../model/overhead.ts';
import { overheadSetups } from '../../plan/overhead.ts';

/** Outcomes that say a target could not be talked to at all. */
const UNREACHABLE: ReadonlySet<string> = new Set<Outcome>(['refused', 'connect_timeout', 'tls_error']);

/**
 * The overhead phase, for `run` when the scenario has an `overhead:` block: interleaved rounds,
 * differences with confidence intervals, decomposition, for each baseline/auth pair. Puts each
 * difference's CI upper bound (the worst pair's) in the metrics as `overhead.p50` … `overhead.p99`,
 * so a threshold passes only when the overhead is below its limit with 95% confidence.
 */
export const overheadPhase: Phase = {
  name: 'overhead',
  metrics: /^overhead\./,
  enabled(plan, command) {
    if (command !== 'run' || plan.scenario.doc.overhead === undefined) return false;
    // Resolved here, before the phase starts, so a wrong name ends the run as invalid input (exit 2)
    // instead of as a phase that "could not be carried out".
    overheadSetups(plan);
    return true;
  },
  async run(ctx) {
    const { log } = ctx;
    const results: OverheadResult[] = [];
    ctx.summary.overhead = results;
    for (const setup of overheadSetups(ctx.plan)) {
      if (ctx.signal.aborted) break;
      log.info(`overhead: ${setup.baseline.name} (baseline) vs ${setup.auth.name} (auth), credential ${setup.credential.name}, ${setup.rounds} rounds x ${setup.attemptsPerRound} attempts${setup.authorizationUrl ? ', decomposed with autocannon' : ''}`);
      const result = await measureOverhead(setup, {
        signal: ctx.signal,
        onRound: (r, of) => {
          if (r === of || r % 5 === 0) log.info(`  overhead round ${r}/${of}`);
        },
      });
      results.push(result);
      // With several pairs, a threshold judges the worst one.
      for (const d of result.differences) {
        const key = `overhead.p${d.percentile}`;
        if (Number.isFinite(d.ciHigh)) ctx.summary.metrics[key] = Math.max(ctx.summary.metrics[key] ?? -Infinity, d.ciHigh);
      }
      log.info(formatOverhead(result));
      judge(result, ctx.failures, ctx.fatal);
      if (result.decomposition?.crossCheck && !result.decomposition.crossCheck.agrees) {
        log.warn(`overhead: ${setup.auth.name}'s Server-Timing auth duration and autocannon's direct measurement of the authorization URL disagree at p50; see the decomposition`);
      }
    }
  },
};

/** A measurement that lost attempts is not an overhead number: say so (exit 1), or exit 3 when a side was unreachable. */
function judge(result: OverheadResult, failures: string[], fatal: string[]): void {
  for (const side of [result.baseline, result.auth]) {
    const failed = side.attempts - side.upgraded;
    if (side.attempts > 0 && failed === side.attempts && Object.keys(side.outcomes).every((o) => UNREACHABLE.has(o))) {
      fatal.push(`overhead: target ${side.target} could not be reached (${describe(side)})`);
    } else if (failed > 0) {
      failures.push(`overhead: ${failed} of ${side.attempts} attempts to ${side.target} did not upgrade (${describe(side)}); their latency is not in the overhead`);
    }
  }
  if (result.problem) failures.push(`overhead: ${result.problem}`);
}

function describe(side: OverheadSide): string {
  return Object.entries(side.outcomes)
    .map(([o, n]) => `${o} ${n}`)
    .join(', ');
}
