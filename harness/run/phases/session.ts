import { runSession } from '../../session/suite.ts';
import { emptyOutput, type Phase } from '../phase.ts';

/**
 * The session phase: after conformance, the session checks of every target (messages, ping/pong,
 * closes, negotiation, what the backend and the auth service saw, HTTP/2), for `run` and `check`
 * unless the scenario says `session: false` (plan/phases.ts).
 */
export const sessionPhase: Phase = {
  name: 'session',
  async run(ctx) {
    const { plan, events } = ctx;
    events.sessionStarted?.(plan.session?.targets.length ?? 0);
    const result = await runSession(plan, {
      authControl: ctx.authControl,
      signal: ctx.signal,
      onResult: (r) => events.sessionChecked?.(r),
    });
    const out = emptyOutput();
    out.sections.session = result;
    out.metrics = {
      'session.passed': result.passed,
      'session.failed': result.failed,
      'session.not_applicable': result.notApplicable,
    };
    for (const r of result.results) {
      for (const c of r.checks) {
        if (c.verdict === 'fail')
          out.failures.push(`session ${r.target} / ${r.credential}: ${c.id}: ${c.reasons.join('; ')}`);
      }
    }
    return out;
  },
};
