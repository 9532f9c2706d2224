import { statusOf, type Outcome } from '../model/outcome.ts';
import { expectedStatuses, gatewayTargets, type Plan, type PlannedCredential, type PlannedTarget } from '../plan/plan.ts';
import { ATTEMPT_HEADER, probe, type Evidence } from '../client/evidence-client.ts';
import { BackendRecord, headerText, type BackendEntry } from '../client/backend-record.ts';
import type { AuthControl } from '../client/auth-control.ts';
import type { AuthState } from '../scenario/schema.ts';
import type { Verdict } from '../scenario/schema-parts.ts';

export type CheckStatus = 'passed' | 'failed' | 'not_run';

/** What the backend saw of one attempt. */
export interface BackendView {
  /** Whether a record was available to look at. */
  checked: boolean;
  /** Whether the attempt reached the backend; null when unchecked. */
  reached: boolean | null;
  /** Headers the backend received for this attempt (secrets masked at output). */
  forwardedHeaders?: Record<string, string>;
  path?: string;
}

/** One target x credential set conformance check. */
export interface CheckResult {
  target: string;
  credential: string;
  /** The intended auth verdict. */
  verdict: Verdict;
  /** What the client must see through this target after its statusMap. */
  expected: Outcome[];
  /** What the client saw; undefined when not run. */
  seen?: Outcome;
  authState: AuthState;
  status: CheckStatus;
  /** Why it failed or did not run, one sentence each. */
  reasons: string[];
  evidence?: Evidence;
  backend: BackendView;
}

export interface ConformanceResult {
  checks: CheckResult[];
  passed: number;
  failed: number;
  notRun: number;
  /** Checks whose outcome was not among the expected ones. */
  unexpectedOutcomes: number;
  /** Targets every attempt to which failed at the network level: the run could not be carried out. */
  unreachableTargets: string[];
}

export interface ConformanceOptions {
  authControl?: AuthControl;
  signal?: AbortSignal;
  onCheck?: (result: CheckResult) => void;
}

/** Outcomes that say the target itself could not be talked to. */
const UNREACHABLE: ReadonlySet<Outcome> = new Set(['refused', 'connect_timeout', 'dns_error', 'tls_error']);

/**
 * Run every target x credential set, one at a time (so the backend record attributes each
 * connection to exactly one attempt), and judge each against its expected verdict.
 */
export async function runConformance(plan: Plan, opts: ConformanceOptions = {}): Promise<ConformanceResult> {
  const checks: CheckResult[] = [];
  let n = 0;
  const targets = gatewayTargets(plan);
  for (const target of targets) {
    const record = target.backend ? new BackendRecord(target.backend.recordUrl) : undefined;
    for (const cred of plan.credentials) {
      if (opts.signal?.aborted) break;
      const result = await checkOne(plan, target, cred, record, `${plan.scenario.doc.name}-${process.pid}-${++n}`, opts.authControl);
      checks.push(result);
      opts.onCheck?.(result);
    }
  }
  const unreachableTargets = targets
    .map((t) => t.name)
    .filter((name) => {
      const ran = checks.filter((c) => c.target === name && c.seen !== undefined);
      return ran.length > 0 && ran.every((c) => UNREACHABLE.has(c.seen!));
    });
  return {
    checks,
    passed: checks.filter((c) => c.status === 'passed').length,
    failed: checks.filter((c) => c.status === 'failed').length,
    notRun: checks.filter((c) => c.status === 'not_run').length,
    unexpectedOutcomes: checks.filter((c) => c.seen !== undefined && !c.expected.includes(c.seen)).length,
    unreachableTargets,
  };
}

/** The outcomes that count as `verdict` through `target`. */
export function expectedOutcomes(target: PlannedTarget, verdict: Verdict): Outcome[] {
  return expectedStatuses(target, verdict).map((s): Outcome => (s === 101 ? 'upgraded' : `http_${s}`));
}

async function checkOne(
  plan: Plan,
  target: PlannedTarget,
  cred: PlannedCredential,
  record: BackendRecord | undefined,
  attemptId: string,
  control: AuthControl | undefined,
): Promise<CheckResult> {
  const expected = expectedOutcomes(target, cred.expect);
  const base = { target: target.name, credential: cred.name, verdict: cred.expect, expected, authState: cred.authState };
  const unchecked: BackendView = { checked: false, reached: null };

  if (cred.authState !== 'ok') {
    if (!control) {
      return { ...base, status: 'not_run', reasons: [`needs the auth service in state "${cred.authState}" but the scenario gives no authService control or hooks`], backend: unchecked };
    }
    if (!control.supports(cred.authState)) {
      return { ...base, status: 'not_run', reasons: [`${control.describe()} cannot produce state "${cred.authState}"`], backend: unchecked };
    }
  }

  const reasons: string[] = [];
  let mark: number | undefined;
  if (record) {
    try {
      mark = await record.mark();
    } catch (err) {
      reasons.push(`could not read the backend record: ${(err as Error).message}`);
    }
  }

  let evidence: Evidence;
  try {
    if (cred.authState !== 'ok') await control!.set(cred.authState);
    evidence = await probe(target, cred, {
      attemptId,
      echo: plan.check.echo,
      echoTimeoutMs: plan.check.echoTimeoutMs,
    });
  } catch (err) {
    return { ...base, status: 'not_run', reasons: [`could not set up the check: ${(err as Error).message}`], backend: unchecked };
  } finally {
    if (cred.authState !== 'ok') await control!.set('ok').catch(() => undefined);
  }

  const seen = evidence.outcome;
  if (!expected.includes(seen)) {
    reasons.push(`expected ${describeExpected(expected, cred.expect)}, saw ${describeOutcome(evidence)}`);
  }
  if (seen === 'upgraded' && cred.expect === 200 && evidence.echo && !evidence.echo.ok) {
    reasons.push(`upgraded but the echo failed: ${evidence.echo.problem}`);
  }

  const backend = await backendView(plan, target, record, mark, evidence, cred, reasons);
  return { ...base, seen, status: reasons.length === 0 ? 'passed' : 'failed', reasons, evidence, backend };
}

async function backendView(
  plan: Plan,
  target: PlannedTarget,
  record: BackendRecord | undefined,
  mark: number | undefined,
  evidence: Evidence,
  cred: PlannedCredential,
  reasons: string[],
): Promise<BackendView> {
  if (!record || mark === undefined || !target.backend) return { checked: false, reached: null };
  // A denied attempt that leaks may reach the backend a moment after the client got its answer.
  if (evidence.outcome !== 'upgraded') await new Promise((r) => setTimeout(r, plan.check.settleMs));
  let entries: BackendEntry[];
  try {
    entries = await record.since(mark);
  } catch (err) {
    reasons.push(`could not read the backend record: ${(err as Error).message}`);
    return { checked: false, reached: null };
  }
  // Attempts run one at a time, so anything new belongs to this one; prefer the tagged entry.
  const mine = entries.find((e) => headerText(e, ATTEMPT_HEADER) === evidence.attemptId) ?? entries[0];
  const reached = mine !== undefined;
  if (cred.expect !== 200 && reached) {
    reasons.push(`denied credential reached the backend (path ${mine.path}): the gateway let it through`);
  }
  if (cred.expect === 200 && evidence.outcome === 'upgraded' && !reached) {
    reasons.push('upgraded, but the backend never saw the connection');
  }
  if (mine) {
    for (const name of target.backend.mustNotSee) {
      if (headerText(mine, name) !== undefined) reasons.push(`the backend received header ${name}, which the gateway must strip`);
    }
    if (!target.backend.secretsMayPass) {
      const seenText = mine.path + '\n' + Object.entries(mine.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n');
      const leaked = confidentialValues(cred, target.backend.mustNotSee).some((v) => seenText.includes(v));
      if (leaked) reasons.push('a password, token or client secret of this credential set reached the backend (in a forwarded header or the path)');
    }
  }
  const forwardedHeaders = mine
    ? Object.fromEntries(Object.entries(mine.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]))
    : undefined;
  return { checked: true, reached, forwardedHeaders, path: mine?.path };
}

/** Values a gateway must never pass on: passwords and tokens, and values of headers/params it must strip. */
export function confidentialValues(cred: PlannedCredential, mustNotSee: readonly string[]): string[] {
  const named = [...cred.headers, ...cred.query].filter(([name]) => mustNotSee.includes(name.toLowerCase())).map(([, v]) => v);
  // An Authorization value is matched by its token, so a gateway re-wrapping it is still caught.
  return [...cred.confidential, ...named.map((v) => v.replace(/^(Basic|Bearer)\s+/i, ''))].filter((v) => v.length >= 4);
}

function describeExpected(expected: Outcome[], verdict: Verdict): string {
  const list = expected.map((o) => (o === 'upgraded' ? '101 upgrade' : `HTTP ${statusOf(o)}`)).join(' or ');
  return verdict === 200 ? list : `${list} (auth verdict ${verdict})`;
}

function describeOutcome(e: Evidence): string {
  const status = statusOf(e.outcome);
  if (status !== undefined) return `HTTP ${status}`;
  if (e.outcome === 'upgraded') return '101 upgrade (the gateway let it in)';
  return e.problem ? `${e.outcome} (${e.problem})` : e.outcome;
}
