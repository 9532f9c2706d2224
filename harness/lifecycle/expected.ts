import type { IdlePlan } from '../plan/lifecycle.ts';

/** What a safe gateway does, per check: the `expected` sentence of every result. */

export function idleExpected(plan: IdlePlan): string {
  const keep = plan.mustSurviveMs !== undefined ? `${plan.mustSurviveMs / 1000} s` : `the whole ${plan.maxMs / 1000} s`;
  return `idle connections${plan.pingEveryMs > 0 ? ' (silent, and pinging)' : ''} stay open for at least ${keep}`;
}

export const RELOAD_EXPECTED =
  'held sessions survive the reload and keep echoing, new upgrades keep working, old processes leave by their ' +
  'drain deadline';

export const RESTART_EXPECTED = 'every lost session is upgraded again within the bound';

export const EXPIRY_EXPECTED =
  'sessions end soon after the token expires (or the scenario accepts that they do not), and a new upgrade with ' +
  'the expired token is refused with 401';

export const REVOCATION_EXPECTED =
  'sessions of a revoked credential end soon after the revocation (or the scenario accepts that they do not), and ' +
  'a new upgrade with it is refused with 401';

export const PRESSURE_EXPECTED =
  'while the auth service answers in time the allowed set gets in; once it is slower than the gateway waits, the ' +
  'gateway fails closed (5xx); the denied set never gets in';
