import type { Socket } from 'node:net';
import { type AttemptResult, type PreparedRequest, runAttempt } from '../client/load-client.ts';
import type { EndHow, ReconnectPolicy } from '../model/lifecycle.ts';
import type { Outcome } from '../model/outcome.ts';
import { KeyPool } from '../wire/accept.ts';
import {
  encodeClientFrame,
  encodeClose,
  OP_BINARY,
  OP_CLOSE,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  parseServerFrame,
} from '../wire/frame.ts';
import { reconnectDelay } from './reconnect.ts';

/** What happened to the sessions of a pool, in order; times on the performance.now() clock. */
export type PoolEvent =
  | { kind: 'upgraded'; at: number; session: number; reconnect: boolean; handshakeMs: number }
  | { kind: 'failed'; at: number; session: number; reconnect: boolean; outcome: Outcome }
  | { kind: 'ended'; at: number; session: number; how: EndHow; code: number }
  | { kind: 'gave_up'; at: number; session: number };

/** Where one session is. */
type State = 'connecting' | 'open' | 'waiting' | 'closing' | 'closed' | 'gave_up';

/** One session the pool keeps open (and brings back, when it reconnects). */
export class PooledSession {
  state: State = 'connecting';
  socket?: Socket;
  /** Bytes of an incomplete frame. */
  pending?: Buffer;
  /** When it was last upgraded. */
  openedAt?: number;
  /** When its last message was sent and not yet echoed (0: none outstanding), and when the last echo came. */
  sentAt = 0;
  lastEchoAt?: number;
  echoes = 0;
  messages = 0;
  pongs = 0;
  nextMessageAt = 0;
  nextPingAt = 0;
  /** The close code of a close frame the other side sent, while the socket still closes. */
  closeCode?: number;
  errorCode?: string;
  /** The last time the other side ended it: when, how, with which code. */
  end?: { at: number; how: EndHow; code: number };
  /** When it was lost the first time since reconnecting was switched on, and when it was back. */
  lostAt?: number;
  backAt?: number;
  /** Reconnect attempts since it was last lost. */
  attempts = 0;
  timer?: NodeJS.Timeout;

  constructor(readonly id: number) {}
}

export interface PoolOptions {
  /** A text message this often on every open session, its echo timed (0: none). */
  messageEveryMs?: number;
  /** A ping this often (0: none). */
  pingEveryMs?: number;
  sourceAddresses?: readonly string[];
  /** Upgrades in progress at once while opening. */
  maxInFlight?: number;
  random?: () => number;
}

const SWEEP_MS = 20;
const MESSAGE = Buffer.from('wsgate-lifecycle');

/**
 * Sessions of one credential set through one target, upgraded by the lean load client and kept:
 * optionally sending a message (echo timed) or a ping on a schedule, each end by the other side
 * recorded (when, close frame with its code, TCP close without one, or reset), and, once
 * `reconnect` is switched on, brought back by a reconnect policy until a deadline. One sweep timer
 * for all sessions; every wait is bounded by the target's timeouts or the caller's deadline.
 */
export class SessionPool {
  readonly events: PoolEvent[] = [];
  readonly sessions: PooledSession[] = [];
  private readonly keys = new KeyPool(256);
  private readonly ticker: NodeJS.Timeout;
  private source = 0;
  private inFlight = 0;
  private reconnect?: { policy: ReconnectPolicy; until: number };
  /** Set by closeAll: an upgrade that ends after it is closed at once. */
  private shutting = false;
  private closed?: () => void;

  constructor(
    private readonly request: PreparedRequest,
    private readonly opts: PoolOptions = {},
  ) {
    this.ticker = setInterval(() => this.sweep(), SWEEP_MS);
  }

  /** Sessions open now. */
  get open(): number {
    return this.sessions.filter((s) => s.state === 'open').length;
  }

  /**
   * Open `count` sessions evenly over `rampMs` (at most `maxInFlight` upgrades at once); resolves once
   * every first attempt ended (each bounded by the target's connect and handshake timeouts), or soon
   * after `signal` aborts.
   */
  openSessions(count: number, rampMs: number, signal?: AbortSignal): Promise<void> {
    const first = this.sessions.length;
    for (let i = 0; i < count; i++) this.sessions.push(new PooledSession(first + i));
    const start = performance.now();
    const cap = this.opts.maxInFlight ?? 256;
    let next = first;
    return new Promise((resolve) => {
      const launch = setInterval(() => {
        const due = (performance.now() - start) * (count / Math.max(1, rampMs));
        while (next < first + count && next - first <= due && this.inFlight < cap && !signal?.aborted)
          this.connect(this.sessions[next++]!, false);
        if (signal?.aborted)
          for (let i = next; i < first + count; i++) Object.assign(this.sessions[i]!, { state: 'closed' });
        if ((next === first + count || signal?.aborted) && this.inFlight === 0) {
          clearInterval(launch);
          resolve();
        }
      }, 5);
    });
  }

  /** From now on a session lost is brought back by `policy`, until `until` (performance.now()). */
  reconnectFrom(policy: ReconnectPolicy, until: number): void {
    this.reconnect = { policy, until };
    for (const s of this.sessions) {
      s.lostAt = undefined;
      s.backAt = undefined;
      s.attempts = 0;
    }
  }

  /** Stop bringing sessions back; those waiting to reconnect give up. */
  stopReconnecting(): void {
    this.reconnect = undefined;
    for (const s of this.sessions) {
      if (s.state !== 'waiting') continue;
      clearTimeout(s.timer);
      s.state = 'gave_up';
    }
  }

  /** Send a text message on every open session (e.g. a command to the bundled echo backend). */
  sendAll(text: string): number {
    const frame = Buffer.from(text);
    let sent = 0;
    for (const s of this.sessions) {
      if (s.state !== 'open' || !s.socket) continue;
      s.socket.write(encodeClientFrame(OP_TEXT, frame));
      sent++;
    }
    return sent;
  }

  /**
   * Close every open session with a close handshake (1000), destroying what has not closed after
   * `timeoutMs`; sessions waiting to reconnect stop. Resolves when none is open.
   */
  closeAll(timeoutMs: number): Promise<void> {
    this.stopReconnecting();
    this.shutting = true;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(deadline);
        this.closed = undefined;
        resolve();
      };
      const deadline = setTimeout(() => {
        for (const s of this.sessions) s.socket?.destroy();
        setImmediate(done);
      }, timeoutMs);
      this.closed = () => {
        if (!this.sessions.some((s) => s.state === 'closing' || s.state === 'connecting')) done();
      };
      const frame = encodeClose(1000);
      for (const s of this.sessions) {
        if (s.state === 'open' && s.socket) {
          s.state = 'closing';
          s.socket.write(frame);
        }
      }
      this.closed();
    });
  }

  /** Stop the sweep and every timer; destroys anything still open. */
  destroy(): void {
    clearInterval(this.ticker);
    this.shutting = true;
    this.reconnect = undefined;
    for (const s of this.sessions) {
      clearTimeout(s.timer);
      s.socket?.destroy();
    }
  }

  private connect(s: PooledSession, reconnect: boolean): void {
    s.state = 'connecting';
    this.inFlight++;
    const addresses = this.opts.sourceAddresses ?? [];
    const localAddress = addresses.length > 0 ? addresses[this.source++ % addresses.length] : undefined;
    runAttempt(this.request, this.keys, (r) => this.attempted(s, r, reconnect), { keep: true, localAddress });
  }

  private attempted(s: PooledSession, r: AttemptResult, reconnect: boolean): void {
    this.inFlight--;
    const now = performance.now();
    if (this.shutting) {
      // closeAll came first: this one is not wanted any more.
      r.socket?.destroy();
      s.state = 'closed';
      this.closed?.();
      return;
    }
    if (r.outcome === 'upgraded' && r.socket) {
      this.adopt(s, r, now);
      this.events.push({
        kind: 'upgraded',
        at: now,
        session: s.id,
        reconnect,
        handshakeMs: (r.headAt ?? now) - r.startedAt,
      });
      if (reconnect) s.backAt = now;
      return;
    }
    this.events.push({ kind: 'failed', at: now, session: s.id, reconnect, outcome: r.outcome });
    if (reconnect && this.reconnect) {
      s.attempts++;
      this.retry(s, now);
    } else s.state = 'closed';
    this.closed?.();
  }

  private adopt(s: PooledSession, r: AttemptResult, now: number): void {
    const socket = r.socket!;
    s.socket = socket;
    s.state = 'open';
    s.openedAt = now;
    s.pending = undefined;
    s.closeCode = undefined;
    s.errorCode = undefined;
    s.sentAt = 0;
    s.attempts = 0;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      s.errorCode ??= err.code;
    });
    socket.once('close', () => this.lost(s, socket));
    r.readInto!({ read: (view) => this.read(s, view) });
    if (r.rest) this.read(s, r.rest);
    const every = this.opts.messageEveryMs ?? 0;
    if (every > 0) this.message(s, now);
    s.nextPingAt = now + (this.opts.pingEveryMs ?? 0);
  }

  private message(s: PooledSession, now: number): void {
    s.sentAt = now;
    s.messages++;
    s.nextMessageAt = now + (this.opts.messageEveryMs ?? 0);
    s.socket!.write(encodeClientFrame(OP_TEXT, MESSAGE));
  }

  private sweep(): void {
    const every = this.opts.messageEveryMs ?? 0;
    const ping = this.opts.pingEveryMs ?? 0;
    if (every <= 0 && ping <= 0) return;
    const now = performance.now();
    for (const s of this.sessions) {
      if (s.state !== 'open' || !s.socket) continue;
      if (every > 0 && now >= s.nextMessageAt) this.message(s, now);
      if (ping > 0 && now >= s.nextPingAt) {
        s.nextPingAt = now + ping;
        s.socket.write(encodeClientFrame(OP_PING, MESSAGE));
      }
    }
  }

  private read(s: PooledSession, view: Buffer): void {
    let buf = s.pending ? Buffer.concat([s.pending, view]) : view;
    s.pending = undefined;
    for (;;) {
      const parsed = parseServerFrame(buf);
      if (parsed.kind === 'incomplete') break;
      if (parsed.kind === 'invalid') {
        s.socket?.destroy();
        return;
      }
      const { opcode, payload } = parsed.frame;
      if (opcode === OP_TEXT || opcode === OP_BINARY) {
        if (s.sentAt > 0) {
          s.echoes++;
          s.sentAt = 0;
        }
        s.lastEchoAt = performance.now();
      } else if (opcode === OP_PING) s.socket?.write(encodeClientFrame(OP_PONG, payload));
      else if (opcode === OP_PONG) s.pongs++;
      else if (opcode === OP_CLOSE) {
        s.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (s.state === 'open') s.socket?.write(encodeClose(s.closeCode === 1005 ? 1000 : s.closeCode));
        s.socket?.end();
        return;
      }
      buf = buf.subarray(parsed.length);
      if (buf.length === 0) return;
    }
    s.pending = Buffer.from(buf);
  }

  /** The socket of an open session closed: ours when closing, else an end by the other side. */
  private lost(s: PooledSession, socket: Socket): void {
    if (s.socket !== socket) return;
    s.socket = undefined;
    const now = performance.now();
    if (s.state === 'closing') {
      s.state = 'closed';
      this.closed?.();
      return;
    }
    if (s.state !== 'open') return;
    const how: EndHow =
      s.closeCode !== undefined ? 'close_frame' : s.errorCode === 'ECONNRESET' ? 'reset' : 'no_close_frame';
    const code = s.closeCode ?? 1006;
    s.end = { at: now, how, code };
    this.events.push({ kind: 'ended', at: now, session: s.id, how, code });
    if (this.reconnect) {
      s.lostAt ??= now;
      s.backAt = undefined;
      this.retry(s, now);
    } else s.state = 'closed';
    this.closed?.();
  }

  /** Wait the policy's delay, then try again; give up past maxAttempts or the deadline. */
  private retry(s: PooledSession, now: number): void {
    const r = this.reconnect;
    if (!r || s.attempts >= r.policy.maxAttempts || now >= r.until) {
      s.state = 'gave_up';
      this.events.push({ kind: 'gave_up', at: now, session: s.id });
      return;
    }
    s.state = 'waiting';
    const wait = reconnectDelay(r.policy, s.attempts, this.opts.random ?? Math.random);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (s.state === 'waiting' && this.reconnect) this.connect(s, true);
    }, wait);
  }
}
