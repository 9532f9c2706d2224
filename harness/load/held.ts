import type { Socket } from 'node:net';
import type { AttemptResult, ByteReader } from '../client/load-client.ts';
import type { WireTap } from '../client/wire-tap.ts';
import { LatencyRecorder } from '../metrics/latency-recorder.ts';
import type { HeldResult } from '../model/load.ts';
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

export interface HoldOptions {
  /** 0: hold silently. */
  messageEveryMs: number;
  messageBytes: number;
  messageTimeoutMs: number;
  /** How long to wait for the server's close frame when we close at the end. */
  closeTimeoutMs: number;
  /** A held connection was closed by the other side (code 1006: no close frame). */
  onDrop?: (code: number) => void;
  /** True once the run itself is stopping: a connection lost after that is not a drop. */
  isShutdown?: () => boolean;
}

/** Where one held connection's round trips are recorded (its credential set x target). */
export interface HeldSink {
  firstRtt: LatencyRecorder;
  rtt: LatencyRecorder;
}

/** One second of the held connections' messages: echoes, messages lost, and that second's round-trip p95 (ms). */
export interface HeldSecond {
  echoes: number;
  lost: number;
  rttP95?: number;
}

const HELD = Symbol('wsgate.held');

/** One held connection. Its socket reaches it through module-level handlers: no closures each. */
class Held implements ByteReader {
  /** Bytes of an incomplete frame. */
  pending?: Buffer;
  /** When the message awaiting its echo was sent; 0 when none is. */
  sentAt = 0;
  nextAt: number;
  first = true;
  /** Echoes still owed for messages already counted as echo_failed, to be ignored when they come. */
  owed = 0;
  closing = false;
  done = false;
  /** `--trace`: the connection's tap, fed what it writes. */
  tap?: WireTap;

  constructor(
    readonly holder: Holder,
    readonly socket: Socket & { [HELD]?: Held },
    readonly sink: HeldSink,
    now: number,
  ) {
    this.nextAt = now;
    socket[HELD] = this;
  }

  read(view: Buffer): void {
    this.holder.read(this, view);
  }
}

function onHeldClose(this: Socket & { [HELD]?: Held }): void {
  const c = this[HELD]!;
  c.holder.gone(c, 1006);
}

/** Every frame a held connection sends goes through here, so a traced one shows it. */
function write(c: Held, frame: Buffer): void {
  c.tap?.sent(frame);
  c.socket.write(frame);
}

const TICK_MS = 20;
const noop = () => undefined;

/**
 * Holds upgraded connections: one sweep timer for all of them (no timer per connection, so memory
 * stays a socket and a small record each), a masked text message every `messageEveryMs` whose
 * echo is timed and compared byte for byte, pings answered, drops counted by close code, and a
 * close handshake at the end.
 */
export class Holder {
  readonly firstRtt = new LatencyRecorder();
  readonly rtt = new LatencyRecorder();
  /** Round trips of the current second, for the series; reset by `second()`. */
  private readonly secondRtt = new LatencyRecorder();
  private perSecond = { echoes: 0, lost: 0 };
  private readonly conns = new Set<Held>();
  private readonly payload: Buffer;
  private readonly ticker: NodeJS.Timeout;
  private readonly stats = {
    opened: 0,
    peak: 0,
    dropped: 0,
    messages: 0,
    echoes: 0,
    echoFailed: 0,
    late: 0,
    lost: 0,
    changed: 0,
    closedClean: 0,
    cutByShutdown: 0,
  };
  private readonly dropCodes: Record<string, number> = {};
  private closedAll?: () => void;

  constructor(private readonly opts: HoldOptions) {
    this.payload = Buffer.alloc(opts.messageBytes, 'w');
    this.ticker = setInterval(() => this.sweep(), TICK_MS);
  }

  get open(): number {
    return this.conns.size;
  }

  /** Take over an upgraded socket from the upgrade client (`keep: true`). */
  adopt(r: AttemptResult, sink: HeldSink): void {
    const socket = r.socket!;
    const now = performance.now();
    const c = new Held(this, socket, sink, now);
    if (r.tap) c.tap = r.tap;
    this.conns.add(c);
    this.stats.opened++;
    if (this.conns.size > this.stats.peak) this.stats.peak = this.conns.size;
    socket.on('error', noop);
    socket.once('close', onHeldClose);
    r.readInto!(c);
    if (r.rest) this.read(c, r.rest);
    if (this.opts.messageEveryMs > 0) this.send(c, now);
  }

  /** Close every held connection with a close handshake (1000), waiting at most closeTimeoutMs. */
  closeAll(): Promise<void> {
    return new Promise((resolve) => {
      if (this.conns.size === 0) return resolve();
      this.closedAll = resolve;
      const frame = encodeClose(1000);
      for (const c of this.conns) {
        c.closing = true;
        write(c, frame);
      }
      const deadline = setTimeout(() => {
        for (const c of this.conns) c.socket.destroy();
      }, this.opts.closeTimeoutMs);
      deadline.unref();
    });
  }

  result(target: number): HeldResult {
    const s = this.stats;
    return {
      target,
      opened: s.opened,
      peak: s.peak,
      dropped: s.dropped,
      dropCodes: this.dropCodes,
      messages: s.messages,
      echoes: s.echoes,
      echoFailed: s.echoFailed,
      late: s.late,
      lost: s.lost,
      changed: s.changed,
      closedClean: s.closedClean,
      ...(s.cutByShutdown > 0 ? { cutByShutdown: s.cutByShutdown } : {}),
      firstRtt: this.firstRtt.summary(),
      rtt: this.rtt.summary(),
    };
  }

  /** The second that just ended (echoes, losses, round-trip p95), and a fresh one begun. */
  second(): HeldSecond {
    const p95 = this.secondRtt.summary()?.p95;
    const out: HeldSecond = { ...this.perSecond, ...(p95 !== undefined ? { rttP95: p95 } : {}) };
    this.secondRtt.reset();
    this.perSecond = { echoes: 0, lost: 0 };
    return out;
  }

  /** Stop the sweep and free the histograms; destroys anything still open. */
  destroy(): void {
    clearInterval(this.ticker);
    for (const c of this.conns) c.socket.destroy();
    this.firstRtt.destroy();
    this.rtt.destroy();
    this.secondRtt.destroy();
  }

  private send(c: Held, now: number): void {
    c.sentAt = now;
    c.nextAt = now + this.opts.messageEveryMs;
    this.stats.messages++;
    write(c, encodeClientFrame(OP_TEXT, this.payload));
  }

  private sweep(): void {
    if (this.opts.messageEveryMs <= 0) return;
    const now = performance.now();
    for (const c of this.conns) {
      if (c.closing) continue;
      if (c.sentAt > 0) {
        if (now - c.sentAt < this.opts.messageTimeoutMs) continue;
        this.stats.echoFailed++;
        c.owed++;
        c.sentAt = 0;
      }
      if (now >= c.nextAt) this.send(c, now);
    }
  }

  read(c: Held, view: Buffer): void {
    let buf = c.pending ? Buffer.concat([c.pending, view]) : view;
    c.pending = undefined;
    for (;;) {
      const parsed = parseServerFrame(buf);
      if (parsed.kind === 'incomplete') break;
      if (parsed.kind === 'invalid') {
        c.socket.destroy();
        return;
      }
      const { opcode, payload } = parsed.frame;
      if (opcode === OP_TEXT || opcode === OP_BINARY) this.echo(c, opcode === OP_TEXT && payload.equals(this.payload));
      else if (opcode === OP_PING) write(c, encodeClientFrame(OP_PONG, payload));
      else if (opcode === OP_CLOSE) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (c.closing) this.finish(c, () => this.stats.closedClean++);
        else {
          // The other side closed a connection we meant to keep: a drop, with its code.
          write(c, encodeClose(code === 1005 ? 1000 : code));
          this.gone(c, code);
        }
        c.socket.destroy();
        return;
      }
      buf = buf.subarray(parsed.length);
      if (buf.length === 0) return;
    }
    c.pending = Buffer.from(buf);
  }

  /** An echo came back; `intact` when it is the message sent, byte for byte, as text. */
  private echo(c: Held, intact: boolean): void {
    if (!intact) this.stats.changed++;
    if (c.owed > 0) {
      // An echo that came after messageTimeout: late, not lost.
      c.owed--;
      this.stats.late++;
      return;
    }
    if (c.sentAt === 0) return;
    const rtt = performance.now() - c.sentAt;
    c.sentAt = 0;
    this.stats.echoes++;
    this.perSecond.echoes++;
    this.secondRtt.record(rtt);
    if (c.first) {
      c.first = false;
      this.firstRtt.record(rtt);
      c.sink.firstRtt.record(rtt);
    } else {
      this.rtt.record(rtt);
      c.sink.rtt.record(rtt);
    }
  }

  /** The connection ended without our asking (unless closing): count the drop once. */
  gone(c: Held, code: number): void {
    this.finish(c, () => {
      if (c.closing) return;
      if (this.opts.isShutdown?.()) {
        this.stats.cutByShutdown++;
        return;
      }
      this.stats.dropped++;
      this.dropCodes[code] = (this.dropCodes[code] ?? 0) + 1;
      this.opts.onDrop?.(code);
    });
  }

  private finish(c: Held, count: () => void): void {
    if (c.done) return;
    c.done = true;
    // Messages whose echo never came, now that none can: owed ones past their timeout and one in flight.
    const lost = c.owed + (c.sentAt > 0 ? 1 : 0);
    if (lost > 0 && !this.opts.isShutdown?.()) {
      this.stats.lost += lost;
      this.perSecond.lost += lost;
    }
    count();
    this.conns.delete(c);
    if (this.closedAll && this.conns.size === 0) this.closedAll();
  }
}
