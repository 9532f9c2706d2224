import { closeCodeMaySend } from '../wire/frame.ts';
import {
  backendFacts,
  closeText,
  fail,
  framesOf,
  type Judged,
  noSession,
  notApplicable,
  pass,
  type SetContext,
} from './context.ts';

const NEEDS_RECORD =
  "needs wsgate's echo backend behind the gateway (targets[].backend.record) to read what reached it and to ask it " +
  'to close or die';
const CLIENT_CLOSE = { code: 4001, reason: 'wsgate: the client closes' };
const BACKEND_CLOSE = { code: 4002, reason: 'wsgate: the backend closes' };
/** Codes a gateway may send when its backend died: going away, an error, or a service-specific code. */
const DEATH_CODES = new Set([1001, 1011, 1012, 1013, 1014]);
const BACKEND_FACTS = ['closeReceived', 'closeSent', 'ended'] as const;

const same = (a: { code: number; reason: string } | undefined, b: { code: number; reason: string }) =>
  a !== undefined && a.code === b.code && a.reason === b.reason;

/** close.client: a close with a code and reason from the client reaches the backend unchanged. */
export async function clientCloseCheck(ctx: SetContext): Promise<Judged> {
  const expected = `the backend receives ${closeText(CLIENT_CLOSE)}`;
  if (!ctx.backend) return notApplicable(expected, NEEDS_RECORD);
  const conn = await ctx.open();
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  conn.ws.close(CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
  const end = await conn.ws.finished(ctx.timeoutMs);
  const entry = await ctx.backendEntry(conn.attempt, (e) => e.ended !== undefined);
  const evidence = {
    attempts: [conn.attempt],
    frames: framesOf(conn),
    close: { from: 'client' as const, ...CLIENT_CLOSE },
    ended: end.how === 'timeout' ? `no end within ${ctx.timeoutMs} ms` : `${end.how}`,
    backend: backendFacts(entry, BACKEND_FACTS),
  };
  const reply = end.close ? `; the client got ${closeText(end.close)} back` : '; the client got no close frame back';
  if (!entry)
    return fail(expected, 'the backend has no record of the session', 'the backend never saw the session', evidence);
  if (same(entry.closeReceived, CLIENT_CLOSE))
    return pass(expected, `the backend received ${closeText(entry.closeReceived)}${reply}`, evidence);
  const got = entry.closeReceived
    ? `the backend received ${closeText(entry.closeReceived)}`
    : `the backend received no close frame (its session ended: ${entry.ended ?? 'not yet'})`;
  return fail(
    expected,
    `${got}${reply}`,
    `the client's ${closeText(CLIENT_CLOSE)} did not reach the backend: ${got}`,
    evidence,
  );
}

/** close.backend: a close the backend starts, with a code and reason, reaches the client unchanged. */
export async function backendCloseCheck(ctx: SetContext): Promise<Judged> {
  const expected = `the client receives ${closeText(BACKEND_CLOSE)}`;
  if (!ctx.backend) return notApplicable(expected, NEEDS_RECORD);
  const conn = await ctx.open();
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  conn.ws.command(`close ${BACKEND_CLOSE.code} ${BACKEND_CLOSE.reason}`);
  const end = await conn.ws.finished(ctx.timeoutMs);
  const entry = await ctx.backendEntry(conn.attempt, (e) => e.ended !== undefined);
  const evidence = {
    attempts: [conn.attempt],
    frames: framesOf(conn),
    ...(end.close ? { close: { from: 'server' as const, ...end.close } } : {}),
    ended: end.how,
    backend: backendFacts(entry, BACKEND_FACTS),
  };
  const sent = entry?.closeSent ? ` (the backend sent ${closeText(entry.closeSent)})` : '';
  if (same(end.close, BACKEND_CLOSE)) return pass(expected, `the client received ${closeText(end.close)}`, evidence);
  const got = end.close
    ? `the client received ${closeText(end.close)}`
    : end.how === 'timeout'
      ? `nothing reached the client within ${ctx.timeoutMs} ms`
      : `the client received no close frame (the connection ended: ${end.how})`;
  return fail(
    expected,
    `${got}${sent}`,
    `the backend's ${closeText(BACKEND_CLOSE)} did not reach the client: ${got}${sent}`,
    evidence,
  );
}

/**
 * close.backend-death: the backend's TCP connection is reset mid-session (the echo backend's `kill`);
 * the client must learn the session is over: a close frame saying so (1001, 1011-1014, or an
 * application code), a TCP reset or a FIN. What it got is reported; 1006 is never on the wire, and a
 * gateway that says 1000 claims a normal closure that did not happen.
 */
export async function backendDeathCheck(ctx: SetContext): Promise<Judged> {
  const expected = 'a close frame (1001, 1011-1014) or the connection reset or ended, within the timeout';
  if (!ctx.backend) return notApplicable(expected, NEEDS_RECORD);
  const conn = await ctx.open();
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  const t0 = performance.now();
  conn.ws.command('kill');
  const end = await conn.ws.finished(ctx.timeoutMs * 2);
  const ms = Math.round(performance.now() - t0);
  const entry = await ctx.backendEntry(conn.attempt, (e) => e.ended !== undefined);
  const evidence = {
    attempts: [conn.attempt],
    frames: framesOf(conn),
    ...(end.close ? { close: { from: 'server' as const, ...end.close } } : {}),
    ended: end.how,
    backend: backendFacts(entry, BACKEND_FACTS),
  };
  const killed =
    entry?.ended === 'killed' ? '' : ` (the backend record says the session ended: ${entry?.ended ?? '?'})`;
  if (end.how === 'timeout')
    return fail(
      expected,
      `nothing within ${ctx.timeoutMs * 2} ms: the client session hangs on a dead backend${killed}`,
      `after the backend died the client heard nothing within ${ctx.timeoutMs * 2} ms`,
      evidence,
    );
  if (end.close) {
    const c = end.close;
    const said = `${closeText(c)} after ${ms} ms${killed}`;
    if (!closeCodeMaySend(c.code))
      return fail(
        expected,
        said,
        `the gateway sent close code ${c.code}, which RFC 6455 forbids on the wire`,
        evidence,
      );
    if (c.code === 1000)
      return fail(expected, said, 'the gateway closed with 1000 (normal) although the backend died', evidence);
    if (DEATH_CODES.has(c.code) || c.code >= 3000) return pass(expected, `a close frame: ${said}`, evidence);
    return fail(
      expected,
      said,
      `the gateway closed with ${c.code}, which does not say the backend went away`,
      evidence,
    );
  }
  const how = end.how === 'reset' ? 'a TCP reset' : end.how === 'fin' ? 'a FIN' : 'the connection closed';
  return pass(expected, `no close frame: ${how} after ${ms} ms${killed}`, evidence);
}
