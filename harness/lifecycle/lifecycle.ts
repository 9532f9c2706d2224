import {
  LIFECYCLE_CHECKS,
  type LifecycleCheckName,
  type LifecycleCheckResult,
  type LifecycleResult,
} from '../model/lifecycle.ts';
import type { Saturation } from '../model/load.ts';
import type { LifecyclePlan, LifecycleTarget } from '../plan/lifecycle.ts';
import { type LifecycleEnv, notRun } from './context.ts';
import { EXPIRY_EXPECTED, REVOCATION_EXPECTED, runCredentials } from './credentials.ts';
import { idleExpected, runIdle } from './idle.ts';
import { PRESSURE_EXPECTED, runAuthPressure } from './pressure.ts';
import { RELOAD_EXPECTED, runReload } from './reload.ts';
import { RESTART_EXPECTED, runRestart } from './restart.ts';

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
  const ended = { count: 0, codes: {}, hows: {} };
  switch (check) {
    case 'idle':
      return { ...notRun(check, t, idleExpected(plan.idle!), why), maxMs: plan.idle!.maxMs, groups: [] };
    case 'reload':
      return {
        ...notRun(check, t, RELOAD_EXPECTED, why),
        action: '',
        held: 0,
        messages: 0,
        echoes: 0,
        attempts: 0,
        upgrades: 0,
        failedUpgrades: 0,
        failedByOutcome: {},
        reloadAtMs: 0,
        dropped: 0,
        dropCodes: {},
        dropsBySecond: [],
        cutAtDeadline: 0,
      };
    case 'restart':
      return {
        ...notRun(check, t, RESTART_EXPECTED, why),
        cause: plan.restart!.cause,
        action: '',
        reconnect: plan.restart!.reconnect,
        held: 0,
        dropped: 0,
        back: 0,
        notBack: 0,
        gaveUp: 0,
        reconnectAttempts: 0,
        failedUpgrades: 0,
        failedByOutcome: {},
      };
    case 'credential-expiry':
    case 'credential-revocation':
      return {
        ...notRun(check, t, check === 'credential-expiry' ? EXPIRY_EXPECTED : REVOCATION_EXPECTED, why),
        credential:
          (check === 'credential-expiry' ? plan.credentials?.expiring?.set.name : plan.credentials?.revoke?.set.name) ??
          '',
        invalidAtMs: 0,
        sessions: 0,
        opened: 0,
        ended,
        outlived: 0,
        watchedMs: 0,
        outlives: plan.credentials?.outlives(t.target.name) ?? 'finding',
      };
    case 'auth-pressure':
      return {
        ...notRun(check, t, PRESSURE_EXPECTED, why),
        rate: plan.authPressure!.rate,
        stepMs: plan.authPressure!.stepMs,
        steps: [],
        failsClosedWith: {},
        failOpen: 0,
        unwaited: 0,
      };
  }
}
