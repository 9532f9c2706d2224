import type { AuthRequestEntry } from '../client/auth-record.ts';
import { ATTEMPT_HEADER } from '../client/evidence-client.ts';
import {
  backendHeader,
  fail,
  type Judged,
  noSession,
  notApplicable,
  type Opened,
  pass,
  type SetContext,
} from './context.ts';

const NEEDS_RECORD = "needs wsgate's echo backend record (targets[].backend.record) to see what reached the backend";

/** backend.forwarded: whether the backend learns the client's address, as the scenario expects. */
export async function forwardedCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  const mode = ctx.settings.forwarded;
  const expected =
    mode === 'require'
      ? 'X-Forwarded-For or Forwarded at the backend'
      : mode === 'forbid'
        ? 'neither X-Forwarded-For nor Forwarded at the backend'
        : 'reported: what the backend learns of the client address';
  if (!ctx.backend) return notApplicable(expected, NEEDS_RECORD);
  if (!main.ws) return notApplicable(expected, noSession(main));
  const entry = await ctx.backendEntry(main.attempt);
  if (!entry) return fail(expected, 'the backend has no record of the session', 'the backend never saw the session');
  const seen: Record<string, string> = {};
  for (const h of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
    const v = backendHeader(entry, h);
    if (v !== undefined) seen[h] = v;
  }
  const evidence = { attempts: [main.attempt], backend: { headers: seen } };
  const has = seen['x-forwarded-for'] !== undefined || seen.forwarded !== undefined;
  const observed = has
    ? Object.entries(seen)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')
    : 'neither X-Forwarded-For nor Forwarded';
  if (mode === 'require' && !has)
    return fail(
      expected,
      observed,
      'the backend was not told the client address (no X-Forwarded-For or Forwarded)',
      evidence,
    );
  if (mode === 'forbid' && has)
    return fail(expected, observed, `the backend was told the client address (${observed})`, evidence);
  return pass(expected, observed, evidence);
}

/** backend.origin: the Origin the client sent reaches the backend unchanged (none sent: none arrives). */
export async function originCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  const sent = ctx.cred.origin;
  const expected = sent === undefined ? 'no Origin at the backend' : `Origin: ${sent} at the backend`;
  if (!ctx.backend) return notApplicable(expected, NEEDS_RECORD);
  if (!main.ws) return notApplicable(expected, noSession(main));
  if (sent === undefined)
    return notApplicable(expected, 'no Origin was sent (set credentials[].origin or session.origin to check it)');
  const entry = await ctx.backendEntry(main.attempt);
  if (!entry) return fail(expected, 'the backend has no record of the session', 'the backend never saw the session');
  const got = backendHeader(entry, 'origin');
  const evidence = { attempts: [main.attempt], backend: { headers: got === undefined ? {} : { origin: got } } };
  if (got === sent) return pass(expected, `the backend saw Origin: ${got}`, evidence);
  const observed = got === undefined ? 'the backend saw no Origin' : `the backend saw Origin: ${got}`;
  return fail(expected, observed, `the Origin did not reach the backend unchanged: ${observed}`, evidence);
}

/** The client's handshake headers in an auth request: Upgrade, Connection naming upgrade, any Sec-WebSocket-*. */
export function unwantedAuthHeaders(r: AuthRequestEntry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.join(', ') : value;
    const lower = name.toLowerCase();
    if (lower === 'upgrade' || lower.startsWith('sec-websocket-')) out[lower] = v;
    else if (lower === 'connection' && /(^|,)\s*upgrade\s*(,|$)/i.test(v)) out[lower] = v;
  }
  return out;
}

/**
 * auth.hop-by-hop: the request the gateway made to the auth service for the shared connection's
 * upgrade (found by its X-Wsgate-Attempt; re-authorizations during sessions left out). The scenario
 * decides whether the client's handshake headers reaching it fail the check or are reported.
 */
export async function hopByHopCheck(ctx: SetContext, main: Opened, authMark: number | undefined): Promise<Judged> {
  const expected = 'an auth request without Upgrade, Connection: upgrade or Sec-WebSocket-* headers';
  if (!ctx.auth)
    return notApplicable(
      expected,
      "needs the auth service's record of its requests (authService.requests, e.g. ${fixture:auth.requests})",
    );
  if (authMark === undefined)
    return notApplicable(expected, 'the auth service record could not be read before the upgrade');
  if (!main.ws) return notApplicable(expected, noSession(main));
  let requests: AuthRequestEntry[];
  try {
    requests = (await ctx.auth.since(authMark)).filter((r) => r.headers['x-wsgate-recheck'] === undefined);
  } catch (err) {
    return notApplicable(expected, `the auth service record could not be read: ${(err as Error).message}`);
  }
  const tag = ATTEMPT_HEADER.toLowerCase();
  const mine = requests.filter((r) => r.headers[tag] === main.attempt);
  const call = mine[0] ?? (requests.length === 1 ? requests[0] : undefined);
  if (!call)
    return notApplicable(
      expected,
      `the auth service recorded no request for this upgrade (${requests.length} other since it began)`,
    );
  const unwanted = unwantedAuthHeaders(call);
  const evidence = {
    attempts: [main.attempt],
    auth: { headerNames: Object.keys(call.headers).sort(), unwanted },
  };
  const names = Object.keys(unwanted);
  if (names.length === 0) return pass(expected, 'the auth request carried none of them', evidence);
  const observed = `the auth service got ${names.join(', ')}`;
  if (ctx.settings.hopByHopToAuth === 'report')
    return pass(expected, `${observed} (reported only: session.hopByHopToAuth is report)`, evidence);
  return fail(
    expected,
    observed,
    `the gateway forwarded the client's handshake headers to the auth service: ${names.join(', ')}`,
    evidence,
  );
}
