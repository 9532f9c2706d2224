import type { CredentialCheck, IdleCheck, PressureCheck, ReloadCheck, RestartCheck } from '../model/lifecycle.ts';
import type { AuthPressurePlan, CredentialsPlan, IdlePlan, LifecycleTarget, RestartPlan } from '../plan/lifecycle.ts';
import { checkBase } from './context.ts';
import {
  EXPIRY_EXPECTED,
  idleExpected,
  PRESSURE_EXPECTED,
  RELOAD_EXPECTED,
  RESTART_EXPECTED,
  REVOCATION_EXPECTED,
} from './expected.ts';

/** Results of checks that could not be tried on a target, each of its kind with nothing measured. */

function base(t: LifecycleTarget, expected: string, why: string) {
  return {
    ...checkBase(t, performance.now()),
    status: 'not_run' as const,
    expected,
    observed: 'not run',
    reasons: [why],
    durationMs: 0,
  };
}

export function notRunIdle(t: LifecycleTarget, plan: IdlePlan, why: string): IdleCheck {
  return { check: 'idle', ...base(t, idleExpected(plan), why), maxMs: plan.maxMs, groups: [] };
}

export function notRunReload(t: LifecycleTarget, why: string): ReloadCheck {
  return {
    check: 'reload',
    ...base(t, RELOAD_EXPECTED, why),
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
}

export function notRunRestart(t: LifecycleTarget, plan: RestartPlan, why: string): RestartCheck {
  return {
    check: 'restart',
    ...base(t, RESTART_EXPECTED, why),
    cause: plan.cause,
    action: '',
    reconnect: plan.reconnect,
    held: 0,
    dropped: 0,
    back: 0,
    notBack: 0,
    gaveUp: 0,
    reconnectAttempts: 0,
    failedUpgrades: 0,
    failedByOutcome: {},
  };
}

export function notRunCredential(
  check: 'credential-expiry' | 'credential-revocation',
  t: LifecycleTarget,
  plan: CredentialsPlan,
  why: string,
): CredentialCheck {
  const set = check === 'credential-expiry' ? plan.expiring?.set.name : plan.revoke?.set.name;
  return {
    check,
    ...base(t, check === 'credential-expiry' ? EXPIRY_EXPECTED : REVOCATION_EXPECTED, why),
    credential: set ?? '',
    invalidAtMs: 0,
    sessions: 0,
    opened: 0,
    ended: { count: 0, codes: {}, hows: {} },
    outlived: 0,
    watchedMs: 0,
    outlives: plan.outlives(t.target.name),
  };
}

export function notRunPressure(t: LifecycleTarget, plan: AuthPressurePlan, why: string): PressureCheck {
  return {
    check: 'auth-pressure',
    ...base(t, PRESSURE_EXPECTED, why),
    rate: plan.rate,
    stepMs: plan.stepMs,
    steps: [],
    failsClosedWith: {},
    failOpen: 0,
    unwaited: 0,
  };
}
