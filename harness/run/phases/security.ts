import type { SecurityResult } from '../../model/security.ts';
import { gatewayTargets } from '../../plan/plan.ts';
import { runSecurity } from '../../security/suite.ts';
import { emptyOutput, type Phase, type PhaseOutput } from '../phase.ts';
import { unreachableMessage } from './conformance.ts';

/**
 * The security phase: every selected probe against every target. Runs for `wsgate probe`, and for
 * `run` / `check` when the scenario has a `security:` block (plan/phases.ts).
 */
export const securityPhase: Phase = {
  name: 'security',
  async run(ctx) {
    const { plan, events } = ctx;
    events.securityStarted?.(gatewayTargets(plan).length);
    const result = await runSecurity(plan, {
      authControl: ctx.authControl,
      signal: ctx.signal,
      onProbe: (p) => events.probed?.(p),
    });
    const out = judgeSecurity(result);
    out.sections.security = result;
    return out;
  },
};

/** What the probes mean for the run: their counts, a failure per failed probe, unreachable targets. */
export function judgeSecurity(result: SecurityResult): PhaseOutput {
  const out = emptyOutput();
  out.metrics = {
    'security.passed': result.passed,
    'security.failed': result.failed,
    'security.not_run': result.notRun,
  };
  for (const p of result.probes) {
    if (p.status === 'failed') out.failures.push(`security ${p.target} / ${p.probe}: ${p.reasons.join('; ')}`);
  }
  for (const t of result.unreachableTargets) out.fatal.push(unreachableMessage(t));
  return out;
}
