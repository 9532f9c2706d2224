import type { Phase } from '../phase.ts';
import { gatewayTargets } from '../../plan/plan.ts';
import { runConformance } from '../../conformance/conformance.ts';

/** The conformance phase: every target x credential set once, judged against its verdict. */
export const conformancePhase: Phase = {
  name: 'conformance',
  metrics: /^(unexpected_outcomes|checks_(passed|failed|not_run))$/,
  enabled: (_plan, command) => command === 'check' || command === 'run',
  async run(ctx) {
    const { plan, log } = ctx;
    log.info(`conformance: ${gatewayTargets(plan).length} target(s) x ${plan.credentials.length} credential set(s)`);
    const result = await runConformance(plan, {
      authControl: ctx.authControl,
      signal: ctx.signal,
      onCheck: (c) => {
        const mark = c.status === 'passed' ? 'ok  ' : c.status === 'failed' ? 'FAIL' : 'skip';
        log.info(`  ${mark} ${c.target} / ${c.credential}: expect ${c.expected.join('|')}, saw ${c.seen ?? 'not run'}${c.reasons.length ? ` — ${c.reasons.join('; ')}` : ''}`);
      },
    });
    ctx.summary.conformance = result;
    const m = ctx.summary.metrics;
    m.checks_passed = result.passed;
    m.checks_failed = result.failed;
    m.checks_not_run = result.notRun;
    m.unexpected_outcomes = (m.unexpected_outcomes ?? 0) + result.unexpectedOutcomes;
    for (const c of result.checks) {
      if (c.status === 'failed') ctx.failures.push(`conformance ${c.target} / ${c.credential}: ${c.reasons.join('; ')}`);
    }
    for (const t of result.unreachableTargets) ctx.fatal.push(`target ${t} could not be reached (every attempt failed at the network level)`);
  },
};
