import { createHash } from 'node:crypto';
import type { BackendEntry } from '../client/backend-record.ts';
import type { SessionEvent, WsSession } from '../client/ws-session.ts';
import type { SizeStep } from '../model/session.ts';
import { formatSize } from '../scenario/size.ts';
import { OP_BINARY, OP_TEXT } from '../wire/frame.ts';
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

/** Bytes a second a large echo is given on top of the check's timeout (a slow loopback path is still no hang). */
const BYTES_PER_SECOND = 4 * 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What a round trip gave: the event that answered, and how long it took. */
interface RoundTrip {
  event: SessionEvent;
  ms: number;
}

/** Send one message (in `fragments` frames) and wait for the next data message, bounded. */
async function roundTrip(
  ws: WsSession,
  opcode: typeof OP_TEXT | typeof OP_BINARY,
  payload: Buffer,
  timeoutMs: number,
  fragments = 1,
): Promise<RoundTrip> {
  const t0 = performance.now();
  ws.send(opcode, payload, fragments);
  const event = await ws.nextMessage(timeoutMs + (payload.length / BYTES_PER_SECOND) * 1000);
  return { event, ms: Math.round((performance.now() - t0) * 1000) / 1000 };
}

/** How an answer differs from the message sent; undefined when it is the same message. */
export function difference(sent: Buffer, kind: 'text' | 'binary', e: SessionEvent): string | undefined {
  switch (e.kind) {
    case 'message': {
      if (e.opcode !== kind) return `came back as ${e.opcode} instead of ${kind}`;
      if (e.data.equals(sent)) return undefined;
      if (e.data.length < sent.length && sent.subarray(0, e.data.length).equals(e.data))
        return `came back cut to ${e.data.length} of ${sent.length} bytes`;
      if (e.data.length !== sent.length)
        return `came back as ${e.data.length} bytes instead of ${sent.length}, changed`;
      let i = 0;
      while (e.data[i] === sent[i]) i++;
      return `came back changed from byte ${i} on`;
    }
    case 'close':
      return `the connection was closed instead: ${closeText(e)}`;
    case 'end':
      return `the connection ended instead: ${e.detail}`;
    case 'invalid':
      return `an invalid frame came instead: ${e.reason}`;
    case 'timeout':
      return `nothing came back within ${Math.round(e.afterMs)} ms`;
    default:
      return `a ${e.kind} came instead`;
  }
}

/** What the backend recorded of the n-th data message of a connection, against what was sent. */
function backendMessage(e: BackendEntry | undefined, index: number, sent: Buffer) {
  const m = e?.firstMessages?.[index];
  return m ? { opcode: m.opcode, bytes: m.bytes, intact: m.sha256 === sha256(sent) } : undefined;
}

/**
 * One echo on the shared connection, judged byte-exact with the backend's view when it has a record
 * (so a change is placed: on the way in, or on the way back). `index` is the message's place among
 * the data messages of the connection.
 */
async function echoCheck(
  ctx: SetContext,
  main: Opened,
  what: { kind: 'text' | 'binary'; payload: Buffer; fragments?: number; expected: string },
): Promise<Judged> {
  if (!main.ws) return notApplicable(what.expected, noSession(main));
  if (main.ws.closed)
    return notApplicable(what.expected, 'the shared session connection was closed by an earlier check');
  const from = main.tap.frameCount;
  const index = main.ws.messagesSent;
  const opcode = what.kind === 'text' ? OP_TEXT : OP_BINARY;
  const rt = await roundTrip(main.ws, opcode, what.payload, ctx.timeoutMs, what.fragments);
  const frames = framesOf(main, from);
  const entry = ctx.backend
    ? await ctx.backendEntry(main.attempt, (e) => (e.firstMessages?.length ?? 0) > index)
    : undefined;
  const atBackend = backendMessage(entry, index, what.payload);
  const evidence = { attempts: [main.attempt], frames, ...(atBackend ? { backend: { message: atBackend } } : {}) };
  const diff = difference(what.payload, what.kind, rt.event);
  const size = `${what.payload.length} bytes`;
  if (!diff) {
    const inFrames =
      rt.event.kind === 'message' && (what.fragments ?? 1) > 1
        ? `; sent in ${what.fragments} frames, it came back whole in ${rt.event.frames}`
        : '';
    return pass(what.expected, `came back byte-exact (${size}, ${what.kind}) in ${rt.ms} ms${inFrames}`, evidence);
  }
  const where = atBackend
    ? atBackend.intact
      ? ' (the backend got it intact: it changed on the way back)'
      : ` (the backend got ${atBackend.bytes} bytes of ${what.payload.length}, not intact: it changed on the way in)`
    : '';
  return fail(what.expected, `${diff}${where}`, `the ${what.kind} message of ${size} ${diff}${where}`, evidence);
}

/** A text message with characters of several UTF-8 lengths, so a gateway that re-encodes shows. */
export function textMessage(): Buffer {
  return Buffer.from('wsgate session: text ✓ — ünïcödé 𝄞 ', 'utf8');
}

/** Every byte value twice, so a gateway that treats binary as text (or strips NULs) shows. */
export function binaryMessage(): Buffer {
  return Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
}

/** messages.text, messages.binary, messages.empty, messages.fragmented on the shared connection, in this order. */
export function textCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  return echoCheck(ctx, main, {
    kind: 'text',
    payload: textMessage(),
    expected: 'the same UTF-8 text back, as a text message',
  });
}

export function binaryCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  return echoCheck(ctx, main, {
    kind: 'binary',
    payload: binaryMessage(),
    expected: 'the same 512 bytes back, as a binary message',
  });
}

export function emptyCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  return echoCheck(ctx, main, {
    kind: 'text',
    payload: Buffer.alloc(0),
    expected: 'an empty text message back',
  });
}

export function fragmentedCheck(ctx: SetContext, main: Opened): Promise<Judged> {
  const n = ctx.settings.fragments;
  const payload = Buffer.from(`wsgate fragmented message: ${'0123456789abcdef'.repeat(8 * n)}`, 'utf8');
  return echoCheck(ctx, main, {
    kind: 'text',
    payload,
    fragments: n,
    expected: `the ${payload.length}-byte text sent in ${n} frames back whole and byte-exact`,
  });
}

/** The sizes of the ladder: 1 KiB, x4 each step, then the maximum itself when it is not on the ladder. */
export function ladderSizes(max: number): number[] {
  const sizes: number[] = [];
  for (let s = 1024; s <= max; s *= 4) sizes.push(s);
  if (sizes.length === 0 || sizes[sizes.length - 1] !== max) sizes.push(max);
  return sizes;
}

/** A payload of `n` bytes that shows where it was cut or changed (no repeating 4-byte pattern lines up with masks). */
function ladderPayload(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/**
 * messages.sizes, on a connection of its own: binary messages of 1 KiB, 4 KiB, … up to the maximum,
 * one at a time, until one does not come back intact. Reports the largest that did and what
 * happened at the first that did not (a close code such as 1009, a reset, a cut message, no echo),
 * and where (the backend's record says whether it got the message whole).
 */
export async function sizesCheck(ctx: SetContext): Promise<Judged & { largestIntactBytes?: number }> {
  const max = ctx.settings.maxMessageBytes;
  const expected = `every message up to ${formatSize(max)} back intact`;
  const conn = await ctx.open();
  if (!conn.ws) return notApplicable(expected, noSession(conn));
  const steps: SizeStep[] = [];
  const payloads: Buffer[] = [];
  for (const bytes of ladderSizes(max)) {
    const payload = ladderPayload(bytes);
    payloads.push(payload);
    const rt = await roundTrip(conn.ws, OP_BINARY, payload, ctx.timeoutMs);
    const e = rt.event;
    const diff = difference(payload, 'binary', e);
    if (!diff) {
      steps.push({ bytes, result: 'intact', detail: `came back intact in ${rt.ms} ms`, ms: rt.ms });
      continue;
    }
    const result: SizeStep['result'] =
      e.kind === 'message'
        ? e.data.length < payload.length && payload.subarray(0, e.data.length).equals(e.data)
          ? 'truncated'
          : 'changed'
        : e.kind === 'close'
          ? 'closed'
          : e.kind === 'end'
            ? 'ended'
            : e.kind === 'timeout'
              ? 'no_echo'
              : 'changed';
    steps.push({ bytes, result, detail: diff });
    break;
  }
  const entry = ctx.backend
    ? await ctx.backendEntry(conn.attempt, (x) => (x.firstMessages?.length ?? 0) >= steps.length || !!x.ended)
    : undefined;
  for (const [i, step] of steps.entries()) {
    const m = entry?.firstMessages?.[i];
    if (m) step.backend = { bytes: m.bytes, intact: m.sha256 === sha256(payloads[i]!) };
  }
  const frames = framesOf(conn);
  await ctx.release(conn);
  const intact = steps.filter((s) => s.result === 'intact');
  const largest = intact.length ? intact[intact.length - 1]!.bytes : 0;
  const backend = backendFacts(entry, ['closeSent', 'closeReceived', 'ended']);
  const evidence = { attempts: [conn.attempt], frames, sizes: steps, ...(entry ? { backend } : {}) };
  const bad = steps.find((s) => s.result !== 'intact');
  if (!bad)
    return {
      ...pass(expected, `${steps.map((s) => formatSize(s.bytes)).join(', ')}: all came back intact`, evidence),
      largestIntactBytes: largest,
    };
  const who = whoEnded(bad, entry);
  const largestText = largest ? `largest intact ${formatSize(largest)}` : 'not even 1 KiB came back intact';
  const observed = `${largestText}; ${formatSize(bad.bytes)}: ${bad.detail}${who}`;
  return { ...fail(expected, observed, observed, evidence), largestIntactBytes: largest };
}

/** Where a ladder step broke, from the backend's side of it. */
function whoEnded(step: SizeStep, entry: BackendEntry | undefined): string {
  if (!entry) return '';
  const atBackend = step.backend
    ? step.backend.intact
      ? 'the backend got it intact'
      : `the backend got ${step.backend.bytes} bytes, not intact`
    : 'the backend never got it';
  const closed = entry.closeSent ? `; the backend sent ${closeText(entry.closeSent)}` : '';
  return ` (${atBackend}${closed})`;
}
