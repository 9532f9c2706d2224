import { runConformance } from '../../conformance/conformance.ts';
import type { ConformanceResult } from '../../model/conformance.ts';
import { gatewayTargets } from '../../plan/plan.ts';
import { emptyOutput, type Phase, type PhaseOutput } from '../phase.ts';

/** The conformance phase: every target x credential set once, judged against its verdict. */
export const conformancePhase: Phase = {
  name: 'conformance',
  async run(ctx) {
    const { plan, events } = ctx;
    events.conformanceStarted?.(gatewayTargets(plan).length, plan.credentials.length);
    const result = await runConformance(plan, {
      authControl: ctx.authControl,
      signal: ctx.signal,
      onCheck: (c) => events.checked?.(c),
    });
    const out = judgeConformance(result);
    out.sections.conformance = result;
    return out;
  },
};

/** What the conformance checks mean for the run: their counts, a failure per failed check, unreachable targets. */
export function judgeConformance(result: ConformanceResult): PhaseOutput {
  const out = emptyOutput();
  out.metrics = {
    checks_passed: result.passed,
    checks_failed: result.failed,
    checks_not_run: result.notRun,
    unexpected_outcomes: result.unexpectedOutcomes,
  };
  for (const c of result.checks) {
    if (c.status === 'failed') out.failures.push(`conformance ${c.target} / ${c.credential}: ${c.reasons.join('; ')}`);
  }
  for (const t of result.unreachableTargets) out.fatal.push(unreachableMessage(t));
  return out;
}

/** The one sentence for a target that could not be reached, so phases that both find it say it once. */
export function unreachableMessage(target: string): string {
  return `target ${target} could not be reached (every attempt failed at the network level)`;
}
