import { TRACE_FRAMES, type TraceFrame, type TraceStep, type WireTrace } from '../model/trace.ts';
import { describeFrames } from '../wire/frame-trace.ts';

/** Bytes kept per direction before the head is found: a head is at most 16 KiB (wire/response-head.ts). */
const HEAD_LIMIT = 16 * 1024;
/** Bytes of a body (after an answer that is not a 101) kept for the trace. */
const BODY_LIMIT = 512;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** One direction of a traced connection: the head, then frames as they complete. */
class Direction {
  head?: string;
  /** After a head that did not switch protocols: the bytes that followed it, not frames. */
  body?: Buffer;
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes of a frame already described that are still to come: skipped, never buffered. */
  private skip = 0;

  constructor(
    private readonly dir: TraceFrame['dir'],
    private readonly tap: WireTap,
  ) {}

  add(bytes: Buffer, atMs: number): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, bytes.length);
      this.skip -= n;
      bytes = bytes.subarray(n);
      if (bytes.length === 0) return;
    }
    this.pending = this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    if (this.head === undefined) {
      const end = this.pending.indexOf(CRLFCRLF);
      if (end < 0) {
        if (this.pending.length > HEAD_LIMIT) this.pending = this.pending.subarray(0, HEAD_LIMIT);
        return;
      }
      this.head = this.pending.subarray(0, end).toString('latin1');
      this.pending = this.pending.subarray(end + 4);
      // Frames follow only a request, a 101, or an HTTP/2 200 to an extended CONNECT; after any other answer
      // comes an HTTP body.
      if (this.dir === 'received' && !/^HTTP\/(1\.[01] 101|2 200)\b/.test(this.head)) this.body = Buffer.alloc(0);
    }
    if (this.body) {
      if (this.body.length < BODY_LIMIT) this.body = Buffer.concat([this.body, this.pending]).subarray(0, BODY_LIMIT);
      this.pending = Buffer.alloc(0);
      return;
    }
    const { frames, used } = describeFrames(this.pending, this.dir, atMs);
    this.skip = Math.max(0, used - this.pending.length);
    this.pending = this.pending.subarray(Math.min(used, this.pending.length));
    for (const f of frames) this.tap.frame(f);
  }

  /** What arrived without ever completing a head (a non-HTTP answer, a cut-off request). */
  partial(): string | undefined {
    return this.head === undefined && this.pending.length > 0 ? this.pending.toString('latin1') : undefined;
  }
}

/**
 * Records what one connection sends and receives, for `--trace`: the heads as they went over the
 * wire and the frames after them, each with its time from `origin` (performance.now() ms). A
 * client feeds it the bytes it writes and reads; untraced attempts carry no tap and pay nothing.
 */
export class WireTap {
  private readonly sentSide = new Direction('sent', this);
  private readonly receivedSide = new Direction('received', this);
  private readonly frames: TraceFrame[] = [];
  private readonly steps: TraceStep[] = [];
  notShown = 0;

  /** `maxFrames`: frames listed before the rest are only counted (a session check's connection lists more). */
  constructor(
    readonly origin: number,
    private readonly maxFrames = TRACE_FRAMES,
  ) {}

  get full(): boolean {
    return this.frames.length >= this.maxFrames;
  }

  /** Frames listed so far: a check notes this before it acts, then takes `framesFrom` what its acts caused. */
  get frameCount(): number {
    return this.frames.length;
  }

  /** The frames listed from index `from` on. */
  framesFrom(from: number): TraceFrame[] {
    return this.frames.slice(from);
  }

  sent(bytes: Buffer): void {
    this.sentSide.add(bytes, this.since());
  }

  received(bytes: Buffer): void {
    this.receivedSide.add(bytes, this.since());
  }

  /** A step of the attempt at `at` (performance.now() ms), when it happened. */
  step(step: TraceStep['step'], at: number | undefined): void {
    if (at !== undefined) this.steps.push({ step, atMs: round(at - this.origin) });
  }

  frame(f: TraceFrame): void {
    if (this.full) this.notShown++;
    else this.frames.push(f);
  }

  /** The trace so far, with who it was and how it ended. */
  trace(meta: Pick<WireTrace, 'phase' | 'target' | 'credential' | 'attempt' | 'outcome'>): WireTrace {
    const response = this.receivedSide.head ?? this.receivedSide.partial();
    const request = this.sentSide.head ?? this.sentSide.partial();
    const body = this.receivedSide.body;
    return {
      ...meta,
      steps: [...this.steps].sort((a, b) => a.atMs - b.atMs),
      ...(request !== undefined ? { request } : {}),
      ...(response !== undefined ? { response } : {}),
      ...(body && body.length > 0 ? { body: body.toString('utf8').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '.') } : {}),
      frames: this.frames,
      ...(this.notShown > 0 ? { framesNotShown: this.notShown } : {}),
    };
  }

  private since(): number {
    return round(performance.now() - this.origin);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
