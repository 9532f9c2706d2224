import type { Evidence } from '../model/conformance.ts';
import { offeredSubprotocols } from '../plan/session.ts';
import { OP_TEXT } from '../wire/frame.ts';
import { DEFLATE_OFFER, deflateMessage, namesDeflate } from '../wire/permessage-deflate.ts';
import {
  backendFacts,
  fail,
  framesOf,
  type Judged,
  noSession,
  notApplicable,
  type Opened,
  pass,
  type SetContext,
} from './context.ts';
import { difference } from './messages.ts';

const HANDSHAKE_HEADERS = [
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
];

function headersOf(e: Evidence): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of HANDSHAKE_HEADERS) if (e.headers[h] !== undefined) out[h] = e.headers[h]!;
  return out;
}

/**
 * handshake: the shared connection's 101. An upgrade counts only with Upgrade: websocket,
 * Connection: upgrade and the right Sec-WebSocket-Accept (wire/handshake-verdict.ts); on top, it
 * must not agree to an extension nobody offered or name a subprotocol that was not offered.
 */
export function handshakeCheck(ctx: SetContext, main: Opened): Judged {
  const expected =
    '101 with Upgrade: websocket, Connection: upgrade, the right Sec-WebSocket-Accept, nothing unoffered';
  const e = main.evidence;
  const evidence = { attempts: [main.attempt], headers: headersOf(e) };
  if (e.outcome !== 'upgraded') return fail(expected, noSession(main), noSession(main), evidence);
  const extensions = e.headers['sec-websocket-extensions'];
  if (extensions)
    return fail(
      expected,
      `the 101 agrees to "${extensions}", which the client did not offer`,
      `the 101 agrees to an extension the client did not offer: ${extensions}`,
      evidence,
    );
  const offered = ctx.cred.subprotocols;
  if (e.subprotocol !== undefined && !offered.includes(e.subprotocol))
    return fail(
      expected,
      `the 101 names subprotocol "${e.subprotocol}", not offered`,
      `the 101 names a subprotocol the client did not offer: ${e.subprotocol}`,
      evidence,
    );
  const upgrade = e.headers.upgrade ?? '';
  const connection = e.headers.connection ?? '';
  return pass(
    expected,
    `${e.statusLine}; Upgrade: ${upgrade}; Connection: ${connection}; Sec-WebSocket-Accept correct`,
    evidence,
  );
}

/** negotiation.subprotocol: offer a list; the client must be given what the backend chose (its record says). */
export async function subprotocolCheck(ctx: SetContext): Promise<Judged> {
  const offered = offeredSubprotocols(ctx.settings, ctx.cred.subprotocols);
  const expected = `the subprotocol the backend chose from "${offered.join(', ')}"`;
  const conn = await ctx.open({ subprotocols: offered });
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  const given = conn.evidence.subprotocol;
  const entry = await ctx.backendEntry(conn.attempt);
  await ctx.release(conn);
  const evidence = {
    attempts: [conn.attempt],
    headers: headersOf(conn.evidence),
    ...(ctx.backend ? { backend: backendFacts(entry, ['offeredProtocols', 'protocol']) } : {}),
  };
  const givenText = given === undefined ? 'no subprotocol' : `"${given}"`;
  if (given !== undefined && !offered.includes(given))
    return fail(
      expected,
      `the client was given ${givenText}`,
      `the 101 names a subprotocol not offered: ${given}`,
      evidence,
    );
  if (!ctx.backend) {
    if (given === undefined)
      return notApplicable(
        expected,
        'the client was given no subprotocol; whether the backend chose one needs its record ' +
          '(targets[].backend.record)',
        evidence,
      );
    return pass(expected, `the client was given ${givenText} (the backend's choice is not recorded here)`, evidence);
  }
  if (!entry)
    return fail(expected, 'the backend has no record of the session', 'the backend never saw the session', evidence);
  const chose = entry.protocol ? `"${entry.protocol}"` : 'none';
  if ((entry.protocol ?? '') === (given ?? ''))
    return pass(expected, `the backend chose ${chose}; the client was given ${givenText}`, evidence);
  return fail(
    expected,
    `the backend chose ${chose}; the client was given ${givenText}`,
    `the backend chose subprotocol ${chose} but the client was given ${givenText}`,
    evidence,
  );
}

/** negotiation.no-subprotocol: without an offer, the 101 names no subprotocol. */
export async function noSubprotocolCheck(ctx: SetContext): Promise<Judged> {
  const expected = 'no Sec-WebSocket-Protocol in the 101';
  const conn = await ctx.open({ subprotocols: [] });
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  const entry = await ctx.backendEntry(conn.attempt);
  await ctx.release(conn);
  const evidence = {
    attempts: [conn.attempt],
    headers: headersOf(conn.evidence),
    ...(ctx.backend ? { backend: backendFacts(entry, ['offeredProtocols', 'protocol']) } : {}),
  };
  const given = conn.evidence.subprotocol;
  if (given !== undefined)
    return fail(
      expected,
      `the 101 names "${given}"`,
      `the 101 names subprotocol "${given}", nothing was offered`,
      evidence,
    );
  const seen = entry?.offeredProtocols?.length
    ? `; the backend was offered "${entry.offeredProtocols.join(', ')}"`
    : '';
  if (seen)
    return fail(expected, `no subprotocol${seen}`, `the gateway offered the backend a subprotocol${seen}`, evidence);
  return pass(expected, 'no subprotocol in the 101', evidence);
}

/**
 * negotiation.empty-subprotocol: a `Sec-WebSocket-Protocol` header with an empty value. A 101 must
 * not name a subprotocol; refusing the upgrade (the bundled backend answers 400) is as good.
 */
export async function emptySubprotocolCheck(ctx: SetContext): Promise<Judged> {
  const expected = 'a 101 without a subprotocol, or the upgrade refused with an HTTP status';
  const conn = await ctx.open({ subprotocols: [], extraHeaders: [['Sec-WebSocket-Protocol', '']] });
  const entry = conn.ws || ctx.backend ? await ctx.backendEntry(conn.attempt, () => true, 200) : undefined;
  await ctx.release(conn);
  const e = conn.evidence;
  const evidence = {
    attempts: [conn.attempt],
    headers: headersOf(e),
    ...(ctx.backend ? { backend: backendFacts(entry, ['offeredProtocols', 'protocol']) } : {}),
  };
  if (e.outcome === 'upgraded') {
    if (e.subprotocol)
      return fail(
        expected,
        `the 101 names "${e.subprotocol}"`,
        `an empty offer got subprotocol "${e.subprotocol}"`,
        evidence,
      );
    return pass(expected, 'a 101 without a subprotocol', evidence);
  }
  if (e.outcome.startsWith('http_'))
    return pass(
      expected,
      `refused: ${e.statusLine ?? e.outcome}${entry ? '' : ' (the backend never saw it)'}`,
      evidence,
    );
  return fail(
    expected,
    noSession(conn),
    `an empty Sec-WebSocket-Protocol header broke the upgrade: ${noSession(conn)}`,
    evidence,
  );
}

/**
 * negotiation.deflate: offer permessage-deflate as browsers do. The client must be told it was
 * agreed exactly when the backend agreed (its record); when agreed, a compressed message must come
 * back intact. A gateway that agrees on its own (the backend refused) or drops the offer or the
 * answer on the way fails, saying which.
 */
export async function deflateCheck(ctx: SetContext): Promise<Judged> {
  const expected = 'permessage-deflate agreed with the client exactly when the backend agreed to it';
  const conn = await ctx.open({ subprotocols: [], extraHeaders: [['Sec-WebSocket-Extensions', DEFLATE_OFFER]] });
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  const agreed = namesDeflate(conn.evidence.headers['sec-websocket-extensions']);
  let echo: { text: string; broken: boolean } | undefined;
  if (agreed) {
    const payload = Buffer.from(`wsgate compressed message ${'abcdefgh'.repeat(64)}`);
    conn.ws.send(OP_TEXT, deflateMessage(payload), 1, true);
    const e = await conn.ws.nextMessage(ctx.timeoutMs);
    const diff = difference(payload, 'text', e);
    echo = diff
      ? { text: `a compressed message ${diff}`, broken: true }
      : {
          text: `a compressed message came back intact${e.kind === 'message' && e.compressed ? ' (compressed)' : ''}`,
          broken: false,
        };
  }
  const entry = await ctx.backendEntry(conn.attempt);
  const frames = framesOf(conn);
  await ctx.release(conn);
  const evidence = {
    attempts: [conn.attempt],
    frames,
    headers: headersOf(conn.evidence),
    ...(ctx.backend ? { backend: backendFacts(entry, ['offeredExtensions', 'extensions', 'closeSent']) } : {}),
  };
  const client = agreed
    ? `the client was told "${conn.evidence.headers['sec-websocket-extensions']}"`
    : 'the client was told none';
  const echoText = echo ? `; ${echo.text}` : '';
  const broken = echo?.broken ?? false;
  if (!ctx.backend || !entry) {
    const why = ctx.backend
      ? 'the backend has no record of the session'
      : "the backend's agreement is not recorded here";
    if (broken)
      return fail(expected, `${client}${echoText}`, `permessage-deflate was agreed but ${echo?.text}`, evidence);
    return pass(expected, `${client}${echoText} (${why})`, evidence);
  }
  const offeredToBackend = namesDeflate(entry.offeredExtensions);
  const backendAgreed = namesDeflate(entry.extensions);
  const backend = backendAgreed
    ? `the backend agreed ("${entry.extensions}")`
    : offeredToBackend
      ? 'the backend refused it'
      : 'the backend was never offered it';
  const observed = `${client}; ${backend}${echoText}`;
  if (agreed && !backendAgreed)
    return fail(
      expected,
      observed,
      `the gateway agreed to permessage-deflate that the backend did not (${backend})`,
      evidence,
    );
  if (!agreed && backendAgreed)
    return fail(expected, observed, 'the backend agreed to permessage-deflate but the client was not told', evidence);
  if (!offeredToBackend)
    return fail(
      expected,
      observed,
      "the gateway dropped the client's permessage-deflate offer before the backend",
      evidence,
    );
  if (broken) return fail(expected, observed, `permessage-deflate was agreed but ${echo?.text}`, evidence);
  return pass(expected, observed, evidence);
}
