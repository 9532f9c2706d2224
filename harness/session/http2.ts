import type { AuthControl } from '../client/auth-control.ts';
import { connectWithEvidence, type H2Endpoint, openHttp2 } from '../client/h2-client.ts';
import { WireTap } from '../client/wire-tap.ts';
import { WsSession } from '../client/ws-session.ts';
import type { Outcome } from '../model/outcome.ts';
import { describeExpected, describeSeen as describeHttp1, expectedOutcomes } from '../outcome/expected.ts';
import type { PlannedCredential, PlannedTarget } from '../plan/plan.ts';
import type { TargetSessionPlan } from '../plan/session.ts';
import { OP_TEXT } from '../wire/frame.ts';
import { backendFacts, fail, type Judged, notApplicable, pass, type SetContext } from './context.ts';
import { difference } from './messages.ts';

/** How long a denied attempt is given to show up at the backend if the gateway lets it through anyway. */
const SETTLE_MS = 100;

/** Where this target's WebSockets over HTTP/2 are, or why there are none. */
export function h2EndpointOf(target: PlannedTarget, plan: TargetSessionPlan): H2Endpoint | { off: string } {
  const h2 = plan.http2;
  if (h2.kind === 'off') return { off: h2.why };
  return { url: new URL(h2.kind === 'alpn' ? target.url : h2.url), target };
}

/** What a client saw over HTTP/2, for a person: a 200 to an extended CONNECT is the upgrade. */
function describeSeen(outcome: Outcome, problem?: string): string {
  return outcome === 'upgraded' ? 'HTTP/2 200, a WebSocket (the gateway let it in)' : describeHttp1(outcome, problem);
}

/** What `http2.verdict` found for one set, with what the result records besides the judgement. */
export interface Http2Judged extends Judged {
  http2?: { url: string; expected: Outcome[]; seen?: Outcome };
}

/**
 * http2.verdict for one credential set: a fresh HTTP/2 connection, an extended CONNECT with the
 * set's credentials (the auth service in the set's state), judged against the same expectation as
 * the HTTP/1.1 upgrade (the target's statusMap). An allowed set must get its 200 and an echo over
 * the stream; a denied one must not, and must not reach the backend: an auth check that guards only
 * HTTP/1.1 upgrades is a bypass.
 */
export async function http2Check(
  ctx: SetContext,
  endpoint: H2Endpoint,
  cred: PlannedCredential,
  control: AuthControl | undefined,
): Promise<Http2Judged> {
  const expectedOutcomesList = expectedOutcomes(ctx.target, cred.expect);
  const expected = `${describeExpected(expectedOutcomesList, cred.expect)}, as over HTTP/1.1`;
  const url = endpoint.url.toString();
  if (cred.authState !== 'ok') {
    if (!control)
      return notApplicable(
        expected,
        `needs the auth service in state "${cred.authState}" but there is no authService control`,
      );
    if (!control.supports(cred.authState))
      return notApplicable(expected, `${control.describe()} cannot produce state "${cred.authState}"`);
  }
  const conn = await openHttp2(endpoint);
  if (!conn.ok) {
    if (!conn.fatal && ctx.settings.http2.kind === 'alpn') return notApplicable(expected, conn.reason);
    return fail(expected, conn.reason, `HTTP/2 at ${url}: ${conn.reason}`);
  }
  const attempt = ctx.attemptId();
  const tap = new WireTap(performance.now(), 24);
  try {
    let attemptResult: Awaited<ReturnType<typeof connectWithEvidence>>;
    try {
      if (cred.authState !== 'ok') await control!.set(cred.authState);
      attemptResult = await connectWithEvidence(conn.session, endpoint, cred, { attemptId: attempt, tap });
    } catch (err) {
      return notApplicable(expected, `could not set up the attempt: ${(err as Error).message}`);
    } finally {
      if (cred.authState !== 'ok') await control!.set('ok').catch(() => undefined);
    }
    const { evidence, transport } = attemptResult;
    const seen = evidence.outcome;
    const http2 = { url, expected: expectedOutcomesList, seen };
    const ev: Judged['evidence'] = {
      attempts: [attempt],
      headers: { status: evidence.statusLine ?? seen, ...evidence.headers },
    };
    if (!expectedOutcomesList.includes(seen)) {
      if (transport) transport.duplex.destroy();
      const entry = await ctx.backendEntry(attempt, () => true, SETTLE_MS);
      if (entry) ev.backend = { reached: true, ...backendFacts(entry, ['path']) };
      const bypass = seen === 'upgraded' && cred.expect !== 200 ? ': the HTTP/2 route skips the auth check' : '';
      return {
        ...fail(
          expected,
          `over HTTP/2: ${describeSeen(seen, evidence.problem)}`,
          `over HTTP/2 the set got ${describeSeen(seen, evidence.problem)} where HTTP/1.1 must get ` +
            `${describeExpected(expectedOutcomesList, cred.expect)}${bypass}`,
          ev,
        ),
        http2,
      };
    }
    if (!transport) {
      // Denied as it must be: it must not have reached the backend either.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const entry = await ctx.backendEntry(attempt, () => true, 0);
      if (entry) {
        ev.backend = { reached: true };
        return {
          ...fail(
            expected,
            `${evidence.statusLine}, yet it reached the backend`,
            'a denied HTTP/2 attempt reached the backend',
            ev,
          ),
          http2,
        };
      }
      return {
        ...pass(expected, `${evidence.statusLine}${ctx.backend ? '; the backend never saw it' : ''}`, ev),
        http2,
      };
    }
    // Upgraded as it must be: a message must go through, and the backend must have seen it.
    const ws = new WsSession(transport);
    const payload = Buffer.from(`wsgate over HTTP/2 ${attempt}`);
    ws.send(OP_TEXT, payload);
    const e = await ws.nextMessage(ctx.timeoutMs);
    ws.close(1000);
    await ws.finished(ctx.timeoutMs);
    ev.frames = tap.framesFrom(0);
    const diff = difference(payload, 'text', e);
    const entry = await ctx.backendEntry(attempt);
    if (ctx.backend) ev.backend = { reached: entry !== undefined, ...backendFacts(entry, ['path', 'protocol']) };
    if (diff)
      return {
        ...fail(expected, `${evidence.statusLine}; a message ${diff}`, `over HTTP/2 a message ${diff}`, ev),
        http2,
      };
    if (ctx.backend && !entry)
      return {
        ...fail(
          expected,
          `${evidence.statusLine}, but the backend never saw it`,
          'an HTTP/2 session never reached the backend',
          ev,
        ),
        http2,
      };
    return { ...pass(expected, `${evidence.statusLine}; a message came back over the stream`, ev), http2 };
  } finally {
    conn.session.destroy();
  }
}
