import type { Duplex } from 'node:stream';
import {
  closeCodeMaySend,
  encodeClientFrame,
  encodeClose,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  parseClose,
  parseServerFrame,
} from '../wire/frame.ts';
import { inflateMessage } from '../wire/permessage-deflate.ts';
import type { WireTap } from './wire-tap.ts';

/** Largest message a session reads (the ladder goes to 16 MiB; a little room for a gateway that pads). */
const MAX_MESSAGE = 17 * 1024 * 1024;

/** How a session's transport ended without (or after) a close frame, as far as the client can tell. */
export type EndHow = 'reset' | 'fin' | 'closed';

/** What the client saw, in order. Pings are answered with a pong before they are queued. */
export type SessionEvent =
  | { kind: 'message'; opcode: 'text' | 'binary'; data: Buffer; frames: number; compressed: boolean }
  | { kind: 'ping'; payload: Buffer }
  | { kind: 'pong'; payload: Buffer }
  | { kind: 'close'; code: number; reason: string; problem?: string }
  | { kind: 'end'; how: EndHow; detail: string }
  | { kind: 'invalid'; reason: string }
  | { kind: 'timeout'; afterMs: number };

/** The events after which nothing more comes: a wait never hangs past them. */
const FINAL = new Set<SessionEvent['kind']>(['close', 'end', 'invalid']);

export interface SessionTransport {
  /** A socket after a 101, or an HTTP/2 stream after a 200 to an extended CONNECT; paused until the session reads. */
  duplex: Duplex;
  /** Writes through the tap. */
  write(bytes: Buffer): void;
  /** Bytes already read past the handshake. */
  leftover: Buffer;
  tap?: WireTap;
  /** How the transport says it was reset (HTTP/2: RST_STREAM), checked when it closes. */
  resetCode?(): string | undefined;
}

/**
 * A WebSocket session on the client side, for checking what a gateway does after the handshake:
 * it sends exactly the frames it is told to (fragments, RSV1, any close code and reason), reads
 * every frame the server sends into a queue of events (messages reassembled and, with
 * permessage-deflate agreed, inflated), answers pings as any client must, answers a close, and
 * says how the transport ended: close frame, TCP reset, FIN, or nothing. Every wait is bounded.
 */
export class WsSession {
  private readonly queue: SessionEvent[] = [];
  private waiter: (() => void) | undefined;
  private buf: Buffer = Buffer.alloc(0);
  /** Chunks of a large frame still arriving, joined once it is all there (not once per chunk). */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Bytes the frame at the start of the buffer needs in all, once its header was read. */
  private need = 0;
  /** Frames of a fragmented message so far. */
  private parts: Buffer[] = [];
  private partOpcode = 0;
  private partCompressed = false;
  private closeSent = false;
  private closeReceived = false;
  private finSeen = false;
  private errorCode: string | undefined;
  private done = false;
  private dataSent = 0;

  constructor(
    private readonly transport: SessionTransport,
    /** permessage-deflate was agreed: RSV1 frames are compressed messages. */
    readonly deflate = false,
  ) {
    const d = transport.duplex;
    d.on('data', (chunk: Buffer) => {
      transport.tap?.received(chunk);
      this.read(chunk);
    });
    d.on('end', () => {
      this.finSeen = true;
    });
    d.on('error', (err: NodeJS.ErrnoException) => {
      this.errorCode ??= err.code ?? err.message;
    });
    d.once('close', () => this.ended());
    if (transport.leftover.length > 0) this.read(transport.leftover);
    d.resume();
  }

  /** Whether the transport is gone. */
  get closed(): boolean {
    return this.done;
  }

  /** Send one frame as given (masked); for fragments and compressed messages see the helpers below. */
  frame(opcode: number, payload: Buffer, flags?: { fin?: boolean; rsv1?: boolean }): void {
    if (this.done) return;
    this.transport.write(encodeClientFrame(opcode, payload, flags));
  }

  /** Data messages sent so far (`command`s not counted): the index the next one has in the backend's record. */
  get messagesSent(): number {
    return this.dataSent;
  }

  /** Send a whole message, in `fragments` frames (1: one frame), its first frame with RSV1 when `compressed`. */
  send(opcode: typeof OP_TEXT | typeof OP_BINARY, payload: Buffer, fragments = 1, compressed = false): void {
    this.dataSent++;
    this.sendFrames(opcode, payload, fragments, compressed);
  }

  /** A text message for the bundled echo backend (`__wsgate:close 4001 bye`): obeyed there, not echoed or counted. */
  command(text: string): void {
    this.sendFrames(OP_TEXT, Buffer.from(`__wsgate:${text}`, 'utf8'), 1, false);
  }

  private sendFrames(opcode: number, payload: Buffer, fragments: number, compressed: boolean): void {
    const n = Math.max(1, Math.min(fragments, Math.max(1, payload.length)));
    const size = Math.ceil(payload.length / n);
    for (let i = 0; i < n; i++) {
      const part = payload.subarray(i * size, i === n - 1 ? payload.length : (i + 1) * size);
      this.frame(i === 0 ? opcode : OP_CONTINUATION, part, { fin: i === n - 1, rsv1: compressed && i === 0 });
    }
  }

  ping(payload: Buffer): void {
    this.frame(OP_PING, payload);
  }

  /** Send a close frame (once) with `code` and `reason`. */
  close(code: number, reason = ''): void {
    if (this.done || this.closeSent) return;
    this.closeSent = true;
    this.transport.write(encodeClose(code, reason));
  }

  /**
   * The next event that `want` accepts (default any), taken off the queue; events it does not want
   * stay queued. When none is queued but the session is over (a close, an end or an invalid frame
   * came), that final event is returned instead, and it stays for later waits. A timeout event
   * after `timeoutMs`.
   */
  async next(timeoutMs: number, want: (e: SessionEvent) => boolean = () => true): Promise<SessionEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex(want);
      if (i >= 0) return FINAL.has(this.queue[i]!.kind) ? this.queue[i]! : this.queue.splice(i, 1)[0]!;
      const final = this.queue.find((e) => FINAL.has(e.kind));
      if (final) return final;
      if (!(await this.wait(deadline))) return { kind: 'timeout', afterMs: timeoutMs };
    }
  }

  /** The next data message, skipping pings and pongs (which stay queued). */
  nextMessage(timeoutMs: number): Promise<SessionEvent> {
    return this.next(timeoutMs, (e) => e.kind === 'message');
  }

  /**
   * Wait until the transport is gone, at most `timeoutMs` (then it is dropped): the close frame
   * received, if any, and how the transport ended.
   */
  async finished(timeoutMs: number): Promise<{ close?: { code: number; reason: string }; how: EndHow | 'timeout' }> {
    const deadline = performance.now() + timeoutMs;
    while (!this.done && (await this.wait(deadline)));
    const close = this.queue.find((x) => x.kind === 'close') as Extract<SessionEvent, { kind: 'close' }> | undefined;
    const end = this.queue.find((x) => x.kind === 'end') as Extract<SessionEvent, { kind: 'end' }> | undefined;
    if (!end) this.destroy();
    return { ...(close ? { close: { code: close.code, reason: close.reason } } : {}), how: end?.how ?? 'timeout' };
  }

  /** The close frame received so far, if any. */
  get closeFrame(): { code: number; reason: string; problem?: string } | undefined {
    const c = this.queue.find((x) => x.kind === 'close') as Extract<SessionEvent, { kind: 'close' }> | undefined;
    return c ? { code: c.code, reason: c.reason, ...(c.problem ? { problem: c.problem } : {}) } : undefined;
  }

  /** Drop the transport now. */
  destroy(): void {
    this.transport.duplex.destroy();
  }

  private push(e: SessionEvent): void {
    this.queue.push(e);
    this.waiter?.();
  }

  /** Until something is pushed (true) or `deadline` passes (false). */
  private async wait(deadline: number): Promise<boolean> {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    const pushed = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), left);
      this.waiter = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
    this.waiter = undefined;
    return pushed;
  }

  private read(chunk: Buffer): void {
    if (this.need > 0) {
      this.chunks.push(chunk);
      this.chunkBytes += chunk.length;
      if (this.buf.length + this.chunkBytes < this.need) return;
      this.buf = Buffer.concat([this.buf, ...this.chunks]);
      this.chunks = [];
      this.chunkBytes = 0;
      this.need = 0;
    } else this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.closeReceived) return;
      const parsed = parseServerFrame(this.buf, MAX_MESSAGE, this.deflate);
      if (parsed.kind === 'incomplete') {
        this.need = frameSize(this.buf);
        return;
      }
      if (parsed.kind === 'invalid') {
        this.push({ kind: 'invalid', reason: parsed.reason });
        this.destroy();
        return;
      }
      this.buf = this.buf.subarray(parsed.length);
      const { opcode, payload, fin, rsv1 } = parsed.frame;
      if (opcode === OP_PING) {
        this.frame(OP_PONG, payload);
        this.push({ kind: 'ping', payload: Buffer.from(payload) });
      } else if (opcode === OP_PONG) this.push({ kind: 'pong', payload: Buffer.from(payload) });
      else if (opcode === OP_CLOSE) {
        this.closeReceived = true;
        const info = parseClose(payload);
        // Answer as RFC 6455 5.5.1 asks (the same code; 1000 when none came; 1002 for a code never sent on the
        // wire, which we must not repeat), then our side is done.
        if (!this.closeSent) this.close(info.code === 1005 ? 1000 : closeCodeMaySend(info.code) ? info.code : 1002);
        this.push({ kind: 'close', ...info });
        this.transport.duplex.end();
      } else if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONTINUATION) {
        this.data(opcode, payload, fin, rsv1);
      } else {
        this.push({ kind: 'invalid', reason: `frame with reserved opcode 0x${opcode.toString(16)}` });
        this.destroy();
      }
    }
  }

  private data(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): void {
    if (opcode !== OP_CONTINUATION) {
      if (this.parts.length > 0) {
        this.push({ kind: 'invalid', reason: 'a new message began before the fragmented one ended' });
        this.destroy();
        return;
      }
      this.partOpcode = opcode;
      this.partCompressed = rsv1;
    } else if (this.parts.length === 0) {
      this.push({ kind: 'invalid', reason: 'a continuation frame without a message to continue' });
      this.destroy();
      return;
    }
    this.parts.push(Buffer.from(payload));
    if (!fin) return;
    const frames = this.parts.length;
    let data = frames === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    if (this.partCompressed) {
      const inflated = inflateMessage(data, MAX_MESSAGE);
      if (inflated instanceof Error) {
        this.push({ kind: 'invalid', reason: inflated.message });
        this.destroy();
        return;
      }
      data = inflated;
    }
    const kind = this.partOpcode === OP_TEXT ? 'text' : 'binary';
    this.push({ kind: 'message', opcode: kind, data, frames, compressed: this.partCompressed });
  }

  private ended(): void {
    if (this.done) return;
    this.done = true;
    const reset = this.transport.resetCode?.();
    const code = this.errorCode;
    let how: EndHow;
    let detail: string;
    if (reset !== undefined) {
      how = 'reset';
      detail = reset;
    } else if (code === 'ECONNRESET' || code === 'EPIPE') {
      how = 'reset';
      detail = `TCP reset (${code})`;
    } else if (this.finSeen) {
      how = 'fin';
      detail = 'the server ended the connection (FIN)';
    } else {
      how = 'closed';
      detail = code ? `the connection closed (${code})` : 'the connection closed';
    }
    this.push({ kind: 'end', how, detail });
  }
}

/** The whole size of the frame at the start of `b` once its length is readable, else 0. */
function frameSize(b: Buffer): number {
  if (b.length < 2) return 0;
  const len7 = b[1]! & 0x7f;
  if (len7 < 126) return 2 + len7;
  if (len7 === 126) return b.length < 4 ? 0 : 4 + b.readUInt16BE(2);
  return b.length < 10 ? 0 : 10 + Number(b.readBigUInt64BE(2));
}
