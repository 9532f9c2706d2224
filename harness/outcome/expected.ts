import type { Verdict } from '../model/auth.ts';
import { type Outcome, statusOf } from '../model/outcome.ts';

/** What a target says about how its gateway maps verdicts (a planned target's `statusMap`). */
export interface StatusMapped {
  statusMap: ReadonlyMap<number, readonly number[]>;
}

/**
 * Client statuses that count as `verdict` through `target` (101 stands for an upgrade): the
 * target's statusMap entry, else 101 for an allow and the verdict itself for a denial. The k6
 * export writes this table into its script rather than carrying a copy of the rule.
 */
export function expectedStatuses(target: StatusMapped, verdict: Verdict): readonly number[] {
  return target.statusMap.get(verdict) ?? [verdict === 200 ? 101 : verdict];
}

/** The outcomes that count as `verdict` through `target`. */
export function expectedOutcomes(target: StatusMapped, verdict: Verdict): Outcome[] {
  return expectedStatuses(target, verdict).map((s): Outcome => (s === 101 ? 'upgraded' : `http_${s}`));
}

/** "101 upgrade or HTTP 503 (auth verdict 500)": what a check expected, for a person. */
export function describeExpected(expected: readonly Outcome[], verdict: Verdict): string {
  const list = expected.map((o) => (o === 'upgraded' ? '101 upgrade' : `HTTP ${statusOf(o)}`)).join(' or ');
  return verdict === 200 ? list : `${list} (auth verdict ${verdict})`;
}

/** "HTTP 401", "101 upgrade (the gateway let it in)", "reset (ECONNRESET)": what was seen, for a person. */
export function describeSeen(outcome: Outcome, problem?: string): string {
  const status = statusOf(outcome);
  if (status !== undefined) return `HTTP ${status}`;
  if (outcome === 'upgraded') return '101 upgrade (the gateway let it in)';
  return problem ? `${outcome} (${problem})` : outcome;
}
