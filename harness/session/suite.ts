import type { AuthControl } from '../client/auth-control.ts';
import { AuthRecord } from '../client/auth-record.ts';
import { BackendRecord } from '../client/backend-record.ts';
import {
  SESSION_CHECK_IDS,
  SESSION_CHECKS,
  type SessionCheckId,
  type SessionCheckResult,
  type SessionResult,
  type SessionSummary,
} from '../model/session.ts';
import type { Plan, PlannedCredential } from '../plan/plan.ts';
import type { TargetSessionPlan } from '../plan/session.ts';
import { backendCloseCheck, backendDeathCheck, clientCloseCheck } from './close.ts';
import { type Judged, notApplicable, type Opened, SetContext } from './context.ts';
import { type Http2Judged, h2EndpointOf, http2Check } from './http2.ts';
import { binaryCheck, emptyCheck, fragmentedCheck, sizesCheck, textCheck } from './messages.ts';
import {
  deflateCheck,
  emptySubprotocolCheck,
  handshakeCheck,
  noSubprotocolCheck,
  subprotocolCheck,
} from './negotiation.ts';
import { backendPingCheck, clientPingCheck } from './ping.ts';
import { forwardedCheck, hopByHopCheck, originCheck } from './seen.ts';

export interface SessionOptions {
  authControl?: AuthControl;
  signal?: AbortSignal;
  onResult?: (result: SessionResult) => void;
}

/** Checks that run on the one connection a set opens first, in this order. */
type OnMain = (ctx: SetContext, main: Opened, authMark: number | undefined) => Judged | Promise<Judged>;
const ON_MAIN: Array<[SessionCheckId, OnMain]> = [
  ['handshake', handshakeCheck],
  ['messages.text', textCheck],
  ['messages.binary', binaryCheck],
  ['messages.empty', emptyCheck],
  ['messages.fragmented', fragmentedCheck],
  ['ping.client', clientPingCheck],
  ['ping.backend', backendPingCheck],
  ['backend.forwarded', forwardedCheck],
  ['backend.origin', originCheck],
  ['auth.hop-by-hop', hopByHopCheck],
];
/** Checks that open connections of their own (a close ends one; a ladder step may). */
const ON_THEIR_OWN: Array<[SessionCheckId, (ctx: SetContext) => Promise<Judged & { largestIntactBytes?: number }>]> = [
  ['messages.sizes', sizesCheck],
  ['close.client', clientCloseCheck],
  ['close.backend', backendCloseCheck],
  ['close.backend-death', backendDeathCheck],
  ['negotiation.subprotocol', subprotocolCheck],
  ['negotiation.no-subprotocol', noSubprotocolCheck],
  ['negotiation.empty-subprotocol', emptySubprotocolCheck],
  ['negotiation.deflate', deflateCheck],
];

/**
 * The session checks of every target with session checks, one target x credential set at a time
 * (each connection tagged, so the backend's and the auth service's records are read per attempt):
 * every check on the sets that expect 200, and http2.verdict on every set where the target serves
 * WebSockets over HTTP/2.
 */
export async function runSession(plan: Plan, opts: SessionOptions = {}): Promise<SessionSummary> {
  const results: SessionResult[] = [];
  const setup = plan.session;
  let n = 0;
  const nextId = () => `${plan.scenario.doc.name}-session-${process.pid}-${++n}`;
  const auth = setup?.authRequestsUrl ? new AuthRecord(setup.authRequestsUrl) : undefined;
  for (const tp of setup?.targets ?? []) {
    const target = plan.targets.find((t) => t.name === tp.target);
    if (!target) continue;
    const backend = target.backend ? new BackendRecord(target.backend.recordUrl) : undefined;
    const endpoint = h2EndpointOf(target, tp);
    const h2 = tp.run.includes('http2.verdict');
    for (const cred of plan.credentials) {
      if (opts.signal?.aborted) break;
      const full = tp.sets.includes(cred.name);
      if (!full && !(h2 && !('off' in endpoint))) continue;
      const ctx = new SetContext(target, cred, tp, backend, auth, nextId);
      const checks: SessionCheckResult[] = full ? await fullChecks(ctx, tp, opts.signal) : [];
      let http2: SessionResult['http2'];
      if (h2) {
        const t0 = performance.now();
        const judged: Http2Judged =
          'off' in endpoint
            ? notApplicable('the same verdict as over HTTP/1.1', endpoint.off)
            : await http2Check(ctx, endpoint, cred, opts.authControl);
        if (judged.http2) http2 = judged.http2;
        checks.push(resultOf('http2.verdict', judged, t0));
      } else if (full && tp.skipped.includes('http2.verdict')) checks.push(skippedResult('http2.verdict'));
      const result = summarize(target.name, cred, checks);
      if (http2) result.http2 = http2;
      const ladder = checks.find((c) => c.id === 'messages.sizes');
      const steps = ladder?.evidence.sizes?.filter((s) => s.result === 'intact');
      if (ladder && steps) result.largestIntactBytes = steps.length ? steps[steps.length - 1]!.bytes : 0;
      results.push(result);
      opts.onResult?.(result);
    }
  }
  return {
    results,
    passed: results.reduce((k, r) => k + r.passed, 0),
    failed: results.reduce((k, r) => k + r.failed, 0),
    notApplicable: results.reduce((k, r) => k + r.notApplicable, 0),
  };
}

/** Every check but http2.verdict, for one set that expects 200. */
async function fullChecks(ctx: SetContext, tp: TargetSessionPlan, signal?: AbortSignal): Promise<SessionCheckResult[]> {
  const out: SessionCheckResult[] = [];
  const wanted = (id: SessionCheckId) => tp.run.includes(id);
  let authMark: number | undefined;
  if (ctx.auth && wanted('auth.hop-by-hop')) authMark = await ctx.auth.mark().catch(() => undefined);
  const main = await ctx.open();
  for (const [id, check] of ON_MAIN) {
    if (!wanted(id) || signal?.aborted) continue;
    const t0 = performance.now();
    out.push(resultOf(id, await check(ctx, main, authMark), t0));
  }
  await ctx.release(main);
  for (const [id, check] of ON_THEIR_OWN) {
    if (!wanted(id) || signal?.aborted) continue;
    const t0 = performance.now();
    // Without a session on the first connection, the others are not tried: the handshake check says why.
    const judged = main.ws
      ? await check(ctx)
      : notApplicable('–', 'the session upgrade did not succeed (see handshake)');
    out.push(resultOf(id, judged, t0));
  }
  for (const id of tp.skipped) if (id !== 'http2.verdict') out.push(skippedResult(id));
  return out;
}

function resultOf(id: SessionCheckId, j: Judged, t0: number): SessionCheckResult {
  return {
    id,
    title: SESSION_CHECKS[id],
    verdict: j.verdict,
    expected: j.expected,
    observed: j.observed,
    reasons: j.reasons,
    evidence: { attempts: [], ...j.evidence },
    durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}

function skippedResult(id: SessionCheckId): SessionCheckResult {
  return resultOf(id, notApplicable('–', 'skipped by the scenario'), performance.now());
}

function summarize(target: string, cred: PlannedCredential, checks: SessionCheckResult[]): SessionResult {
  checks.sort((a, b) => SESSION_CHECK_IDS.indexOf(a.id) - SESSION_CHECK_IDS.indexOf(b.id));
  return {
    target,
    credential: cred.name,
    verdict: cred.expect,
    checks,
    passed: checks.filter((c) => c.verdict === 'pass').length,
    failed: checks.filter((c) => c.verdict === 'fail').length,
    notApplicable: checks.filter((c) => c.verdict === 'not_applicable').length,
  };
}
