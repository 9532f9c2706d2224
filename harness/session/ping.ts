import type { SessionEvent } from '../client/ws-session.ts';
import {
  backendFacts,
  closeText,
  fail,
  framesOf,
  type Judged,
  noSession,
  notApplicable,
  type Opened,
  pass,
  type SetContext,
} from './context.ts';

const NEEDS_RECORD =
  "needs wsgate's echo backend behind the gateway (targets[].backend.record) to ask it for a ping and read its record";

/**
 * ping.client: a ping with a payload gets a pong with the same payload, on the shared connection.
 * Who answered is told from the backend's record: a ping it recorded was passed on, none means the
 * gateway answered itself.
 */
export async function clientPingCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  const expected = 'a pong with the same payload';
  if (!main.ws) return notApplicable(expected, noSession(main));
  if (main.ws.closed) return notApplicable(expected, 'the shared session connection was closed by an earlier check');
  const before = ctx.backend ? ((await ctx.backendEntry(main.attempt))?.pings ?? 0) : 0;
  const from = main.tap.frameCount;
  const payload = Buffer.from(`wsgate-ping-${main.attempt}`.slice(0, 125));
  const t0 = performance.now();
  main.ws.ping(payload);
  const e = await main.ws.next(ctx.timeoutMs, (x) => x.kind === 'pong');
  const ms = Math.round((performance.now() - t0) * 1000) / 1000;
  const entry = ctx.backend ? await ctx.backendEntry(main.attempt, (x) => (x.pings ?? 0) > before, 200) : undefined;
  const evidence = {
    attempts: [main.attempt],
    frames: framesOf(main, from),
    ...(entry ? { backend: backendFacts(entry, ['pings', 'pongs']) } : {}),
  };
  const who =
    entry === undefined
      ? ''
      : (entry.pings ?? 0) > before
        ? '; the backend got the ping (it answered, through the gateway)'
        : '; the backend never got the ping: the gateway answered it';
  if (e.kind !== 'pong') {
    const what = e.kind === 'timeout' ? `no pong within ${ctx.timeoutMs} ms` : `no pong: ${describe(e)}`;
    return fail(expected, `${what}${who}`, `the client's ping got ${what}${who}`, evidence);
  }
  if (!e.payload.equals(payload))
    return fail(
      expected,
      `a pong with another payload${who}`,
      `the pong's payload differs from the ping's${who}`,
      evidence,
    );
  return pass(expected, `pong with the same payload in ${ms} ms${who}`, evidence);
}

/** ping.backend: the backend's ping (asked for in-band) reaches the client, and the client's pong reaches it. */
export async function backendPingCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  const expected = "the backend's ping at the client, with its payload, and the client's pong at the backend";
  if (!ctx.backend) return notApplicable(expected, NEEDS_RECORD);
  if (!main.ws) return notApplicable(expected, noSession(main));
  if (main.ws.closed) return notApplicable(expected, 'the shared session connection was closed by an earlier check');
  const before = (await ctx.backendEntry(main.attempt))?.pongs ?? 0;
  const from = main.tap.frameCount;
  const payload = `wsgate-backend-ping-${main.attempt}`.slice(0, 100);
  main.ws.command(`ping ${payload}`);
  const e = await main.ws.next(ctx.timeoutMs, (x) => x.kind === 'ping');
  const entry = await ctx.backendEntry(main.attempt, (x) => (x.pongs ?? 0) > before);
  const evidence = {
    attempts: [main.attempt],
    frames: framesOf(main, from),
    backend: backendFacts(entry, ['pings', 'pongs']),
  };
  if (e.kind !== 'ping') {
    const what = e.kind === 'timeout' ? `no ping within ${ctx.timeoutMs} ms` : describe(e);
    return fail(expected, what, `the backend's ping never reached the client: ${what}`, evidence);
  }
  if (e.payload.toString() !== payload)
    return fail(expected, 'a ping with another payload', "the backend's ping reached the client changed", evidence);
  if ((entry?.pongs ?? 0) <= before)
    return fail(
      expected,
      "the ping came; the client's pong never reached the backend",
      "the client's pong to the backend's ping never reached the backend",
      evidence,
    );
  return pass(expected, 'the ping came with its payload; the backend recorded the pong', evidence);
}

function describe(e: SessionEvent): string {
  if (e.kind === 'close') return `the connection was closed (${closeText(e)})`;
  if (e.kind === 'end') return `the connection ended (${e.detail})`;
  if (e.kind === 'invalid') return `an invalid frame came (${e.reason})`;
  return e.kind;
}
