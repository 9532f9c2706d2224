import type { Phase } from '../phase.ts';
import { gatewayTargets } from '../../plan/plan.ts';
import { runSecurity } from '../../security/suite.ts';

/**
 * The security phase: every selected probe against every target. Runs for `wsgate probe`, and for
 * `run` / `check` when the scenario has a `security:` block.
 */
export const securityPhase: Phase = {
  name: 'security',
  metrics: /^security\./,
  enabled: (plan, command) => command === 'probe' || ((command === 'run' || command === 'check') && plan.scenario.doc.security !== undefined),
  async run(ctx) {
    const { plan, log } = ctx;
    log.info(`security: ${gatewayTargets(plan).length} target(s)`);
    const result = await runSecurity(plan, {
      authControl: ctx.authControl,
      signal: ctx.signal,
      onProbe: (p) => {
        const mark = p.status === 'passed' ? 'ok  ' : p.status === 'failed' ? 'FAIL' : 'skip';
        log.info(`  ${mark} ${p.target} / ${p.probe}: ${p.status === 'failed' ? p.reasons.join('; ') : p.seen}`);
      },
    });
    ctx.summary.security = result;
    const m = ctx.summary.metrics;
    m['security.passed'] = result.passed;
    m['security.failed'] = result.failed;
    m['security.not_run'] = result.notRun;
    for (const p of result.probes) {
      if (p.status === 'failed') ctx.failures.push(`security ${p.target} / ${p.probe}: ${p.reasons.join('; ')}`);
    }
    for (const t of result.unreachableTargets) {
      // Conformance may have said so already, in the same words.
      const message = `target ${t} could not be reached (every attempt failed at the network level)`;
      if (!ctx.fatal.includes(message)) ctx.fatal.push(message);
    }
  },
};
