import {
  LIFECYCLE_CHECKS,
  type LifecycleCheckName,
  type LifecycleCheckResult,
  type LifecycleResult,
} from '../model/lifecycle.ts';
import type { Saturation } from '../model/load.ts';
import type { LifecyclePlan, LifecycleTarget } from '../plan/lifecycle.ts';
import type { LifecycleEnv } from './context.ts';
import { runCredentials } from './credentials.ts';
import { runIdle } from './idle.ts';
import { notRunCredential, notRunIdle, notRunPressure, notRunReload, notRunRestart } from './not-run.ts';
import { runAuthPressure } from './pressure.ts';
import { runReload } from './reload.ts';
import { runRestart } from './restart.ts';

export type { GatewayActions, LifecycleEnv } from './context.ts';

/** The lifecycle checks' results, and the saturation verdict of every load they ran (reload, auth pressure). */
export interface LifecycleRun {
  result: LifecycleResult;
  saturations: Array<{ check: LifecycleCheckName; target?: string; saturation: Saturation }>;
}

/**
 * Run the scenario's lifecycle checks in order: idle (every target at once), reload and restart
 * (one target after another, so drops and the auth service's load belong to one gateway), the
 * credential checks (every target at once) and the auth pressure ladder (every target at once).
 * Stopped by `env.signal`, the check running keeps what it saw and later ones are not run.
 */
export async function runLifecycle(plan: LifecyclePlan, env: LifecycleEnv): Promise<LifecycleRun> {
  const checks: LifecycleCheckResult[] = [];
  const saturations: LifecycleRun['saturations'] = [];
  const add = (...rs: LifecycleCheckResult[]) => {
    for (const r of rs) {
      checks.push(r);
      env.onCheck?.(r);
    }
  };
  const stopped = () => env.signal.aborted;
  const skipped = (check: LifecycleCheckName) => {
    for (const t of plan.targets) add(notStarted(plan, check, t));
  };
  if (plan.idle) {
    if (stopped()) skipped('idle');
    else add(...(await runIdle(plan.targets, plan.credential, plan.idle, env)));
  }
  if (plan.reload) {
    for (const t of plan.targets) {
      if (stopped()) {
        add(notStarted(plan, 'reload', t));
        continue;
      }
      const r = await runReload(t, plan.credential, plan.reload, env.actions[t.target.name], env);
      if (r.saturation) saturations.push({ check: 'reload', target: t.target.name, saturation: r.saturation });
      add(r);
    }
  }
  if (plan.restart) {
    for (const t of plan.targets) {
      if (stopped()) {
        add(notStarted(plan, 'restart', t));
        continue;
      }
      add(await runRestart(t, plan.credential, plan.restart, env.actions[t.target.name], env, plan.authStatsUrl));
    }
  }
  if (plan.credentials) {
    if (stopped()) {
      if (plan.credentials.expiring) skipped('credential-expiry');
      if (plan.credentials.revoke) skipped('credential-revocation');
    } else add(...(await runCredentials(plan.targets, plan.credentials, env)));
  }
  if (plan.authPressure) {
    if (stopped()) skipped('auth-pressure');
    else {
      const p = await runAuthPressure(plan.targets, plan.authPressure, env);
      for (const saturation of p.saturations) saturations.push({ check: 'auth-pressure', saturation });
      add(...p.checks);
    }
  }
  const order = (c: LifecycleCheckResult) =>
    LIFECYCLE_CHECKS.indexOf(c.check) * 1000 + plan.targets.findIndex((t) => t.target.name === c.target);
  checks.sort((a, b) => order(a) - order(b));
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  return {
    result: {
      targets: plan.targets.map((t) => ({
        name: t.target.name,
        ...(t.gateway ? { gateway: t.gateway } : {}),
        ...(t.variant ? { variant: t.variant } : {}),
      })),
      checks,
      passed: count('passed'),
      failed: count('failed'),
      findings: count('finding'),
      notRun: count('not_run'),
      ...(env.signal.aborted ? { partial: true } : {}),
    },
    saturations,
  };
}

/** A check the run stopped before, as a not-run result of its kind. */
function notStarted(plan: LifecyclePlan, check: LifecycleCheckName, t: LifecycleTarget): LifecycleCheckResult {
  const why = 'the run stopped first';
  switch (check) {
    case 'idle':
      return notRunIdle(t, plan.idle!, why);
    case 'reload':
      return notRunReload(t, why);
    case 'restart':
      return notRunRestart(t, plan.restart!, why);
    case 'credential-expiry':
    case 'credential-revocation':
      return notRunCredential(check, t, plan.credentials!, why);
    case 'auth-pressure':
      return notRunPressure(t, plan.authPressure!, why);
  }
}
