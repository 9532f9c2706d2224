import type { AuthControl } from '../client/auth-control.ts';
import { type BackendEntry, BackendRecord, headerText } from '../client/backend-record.ts';
import { ATTEMPT_HEADER, attemptWithEvidence } from '../client/evidence-client.ts';
import { WireTap } from '../client/wire-tap.ts';
import type { BackendView, CheckResult, ConformanceResult, Evidence } from '../model/conformance.ts';
import type { WireTrace } from '../model/trace.ts';
import { describeExpected, describeSeen, expectedOutcomes } from '../outcome/expected.ts';
import { targetUnreachable } from '../outcome/reachability.ts';
import { confidentialValues } from '../plan/credentials.ts';
import { gatewayTargets, type Plan, type PlannedCredential, type PlannedTarget } from '../plan/plan.ts';

export interface ConformanceOptions {
  authControl?: AuthControl;
  signal?: AbortSignal;
  onCheck?: (result: CheckResult) => void;
}

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
      const result = await checkOne(
        plan,
        target,
        cred,
        record,
        `${plan.scenario.doc.name}-${process.pid}-${++n}`,
        opts.authControl,
      );
      checks.push(result);
      opts.onCheck?.(result);
    }
  }
  const unreachableTargets = targets
    .map((t) => t.name)
    .filter((name) =>
      targetUnreachable(
        checks.flatMap((c) => (c.target === name && c.seen !== undefined ? [c.seen] : [])),
        'tls-is-unreachable',
      ),
    );
  return {
    checks,
    passed: checks.filter((c) => c.status === 'passed').length,
    failed: checks.filter((c) => c.status === 'failed').length,
    notRun: checks.filter((c) => c.status === 'not_run').length,
    unexpectedOutcomes: checks.filter((c) => c.seen !== undefined && !c.expected.includes(c.seen)).length,
    unreachableTargets,
  };
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
  const base = {
    target: target.name,
    credential: cred.name,
    verdict: cred.expect,
    expected,
    authState: cred.authState,
  };
  const unchecked: BackendView = { checked: false, reached: null };

  if (cred.authState !== 'ok') {
    if (!control) {
      return {
        ...base,
        status: 'not_run',
        reasons: [
          `needs the auth service in state "${cred.authState}" but the scenario gives no authService control or hooks`,
        ],
        backend: unchecked,
      };
    }
    if (!control.supports(cred.authState)) {
      return {
        ...base,
        status: 'not_run',
        reasons: [`${control.describe()} cannot produce state "${cred.authState}"`],
        backend: unchecked,
      };
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
    const tap = plan.traceFirst > 0 ? new WireTap(performance.now()) : undefined;
    evidence = await attemptWithEvidence(target, cred, {
      attemptId,
      echo: plan.check.echo,
      echoTimeoutMs: plan.check.echoTimeoutMs,
      ...(tap ? { tap } : {}),
    });
    if (tap) evidence.wire = traceOfEvidence(tap, evidence, target.name, cred.name);
  } catch (err) {
    return {
      ...base,
      status: 'not_run',
      reasons: [`could not set up the check: ${(err as Error).message}`],
      backend: unchecked,
    };
  } finally {
    if (cred.authState !== 'ok') await control!.set('ok').catch(() => undefined);
  }

  const seen = evidence.outcome;
  if (!expected.includes(seen)) {
    reasons.push(
      `expected ${describeExpected(expected, cred.expect)}, saw ${describeSeen(evidence.outcome, evidence.problem)}`,
    );
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
      if (headerText(mine, name) !== undefined)
        reasons.push(`the backend received header ${name}, which the gateway must strip`);
    }
    if (!target.backend.secretsMayPass) {
      const seenText =
        mine.path +
        '\n' +
        Object.entries(mine.headers)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('\n');
      const leaked = confidentialValues(cred, target.backend.mustNotSee).some((v) => seenText.includes(v));
      if (leaked)
        reasons.push(
          'a password, token or client secret of this credential set reached the backend (in a forwarded header ' +
            'or the path)',
        );
    }
  }
  const forwardedHeaders = mine
    ? Object.fromEntries(Object.entries(mine.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]))
    : undefined;
  return { checked: true, reached, forwardedHeaders, path: mine?.path };
}

/** A conformance attempt's wire trace, its steps from the evidence's timings (ms from the attempt's start). */
function traceOfEvidence(tap: WireTap, e: Evidence, target: string, credential: string): WireTrace {
  const t = e.timings;
  const at = (ms: number | undefined) => (ms === undefined ? undefined : tap.origin + ms);
  tap.step('started', tap.origin);
  tap.step('connected', at(t.connectMs));
  tap.step('tls_done', at(t.tlsMs === undefined ? undefined : (t.connectMs ?? 0) + t.tlsMs));
  tap.step('first_byte', at(t.statusMs));
  tap.step('head_complete', at(t.upgradeMs));
  return tap.trace({ phase: 'conformance', target, credential, attempt: 1, outcome: e.outcome });
}
