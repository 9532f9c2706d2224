import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Outcome } from '../model/outcome.ts';
import { outcomeOfClose, outcomeOfError, outcomeOfTimeout } from '../outcome/classify.ts';
import type { PlannedCredential } from '../plan/credentials.ts';
import { hostHeader, type PlannedTarget, requestPath } from '../plan/targets.ts';
import type { KeyPair, KeyPool } from '../wire/accept.ts';
import { HandshakeRequest } from '../wire/handshake-request.ts';
import { judgeHandshake } from '../wire/handshake-verdict.ts';
import { parseResponseHead } from '../wire/response-head.ts';
import type { WireTap } from './wire-tap.ts';

/** One credential set through one target, turned into bytes once: the hot path only picks a key. */
export interface PreparedRequest {
  target: PlannedTarget;
  cred: PlannedCredential;
  request: HandshakeRequest;
  /** Whole requests per pooled key, built on first use (a key pool is small and fixed). */
  requests: WeakMap<KeyPair, Buffer>;
}

/** Prepare the request of a target x credential set. */
export function prepareRequest(target: PlannedTarget, cred: PlannedCredential): PreparedRequest {
  return {
    target,
    cred,
    request: new HandshakeRequest({
      path: requestPath(target, cred),
      host: hostHeader(target),
      headers: [...target.headers, ...cred.headers],
      subprotocols: cred.subprotocols,
      origin: cred.origin,
    }),
    requests: new WeakMap(),
  };
}

/** Receives the bytes of a kept socket. The view is only valid during the call: copy what you keep. */
export interface ByteReader {
  read(view: Buffer): void;
}

/** What one load attempt measured; times in ms on the `performance.now()` clock. */
export interface AttemptResult {
  outcome: Outcome;
  /** When the socket was opened (later than scheduled when the harness ran behind). */
  startedAt: number;
  /** TCP connection up; TLS done (wss only); request written; first response byte; complete head. */
  connectedAt?: number;
  secureAt?: number;
  sentAt?: number;
  statusAt?: number;
  headAt?: number;
  /** With `keep` and an upgrade: the open socket, and any bytes that followed the head (frames). */
  socket?: Socket;
  rest?: Buffer;
  /** With `keep` and an upgrade: where the socket's later bytes go. */
  readInto?(reader: ByteReader): void;
  /** `--trace`: what went over the wire; whoever keeps the socket feeds it what it writes. */
  tap?: WireTap;
}

export interface AttemptOptions {
  /** Hand an upgraded socket to the caller instead of closing it. */
  keep?: boolean;
  /** Source address to bind (loopback rotation past one address pair's ephemeral ports). */
  localAddress?: string;
  /** Record the bytes both ways (`--trace`); only the first few attempts of a set carry one. */
  tap?: WireTap;
}

/**
 * Plain sockets read into this one buffer (`onread`), which skips the stream machinery per read:
 * about a sixth of the client's CPU per handshake. Safe because the loop is single-threaded and a
 * reader copies anything it keeps past the call.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const ATTEMPT = Symbol('wsgate.attempt');

type AttemptSocket = Socket & { [ATTEMPT]: Attempt };

/** Where an attempt is: plain numbers, compared on every event. */
const Step = { Connect: 0, Tls: 1, Handshake: 2, Done: 3 } as const;
type Step = (typeof Step)[keyof typeof Step];
const STEP_NAMES = ['connect', 'tls', 'handshake'] as const;
const noop = () => undefined;

/**
 * The state of one attempt. Socket events reach it through module-level handlers (`this` is the
 * socket) and the timer through an argument, so an attempt allocates no closures: a held
 * connection then costs its socket and this object, which is what keeps 50,000 of them small.
 */
class Attempt implements AttemptResult {
  outcome: Outcome = 'closed_before_response';
  startedAt = performance.now();
  connectedAt?: number;
  secureAt?: number;
  sentAt?: number;
  statusAt?: number;
  headAt?: number;
  socket?: Socket;
  rest?: Buffer;
  step: Step = Step.Connect;
  /** Bytes of an incomplete head, copied out of the shared read buffer. */
  buf?: Buffer;
  reader?: ByteReader;
  timer?: NodeJS.Timeout;

  constructor(
    readonly spec: PreparedRequest,
    readonly pair: KeyPair,
    readonly request: Buffer,
    readonly keep: boolean,
    private done: (r: AttemptResult) => void,
    readonly sock: AttemptSocket,
    readonly tap: WireTap | undefined,
  ) {}

  readInto(reader: ByteReader): void {
    this.reader = reader;
    if (this.spec.target.secure) this.sock.on('data', onTlsData);
  }

  send(): void {
    this.step = Step.Handshake;
    clearTimeout(this.timer);
    this.timer = setTimeout(onTimeout, this.spec.target.handshakeTimeoutMs, this, outcomeOfTimeout('handshake'));
    this.sentAt = performance.now();
    if (this.spec.target.secure) this.secureAt = this.sentAt;
    this.tap?.sent(this.request);
    this.sock.write(this.request);
  }

  bytes(chunk: Buffer): void {
    this.tap?.received(chunk);
    if (this.reader) {
      this.reader.read(chunk);
      return;
    }
    if (this.step !== Step.Handshake) return;
    if (this.statusAt === undefined) this.statusAt = performance.now();
    const bytes = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    const parsed = parseResponseHead(bytes);
    if (parsed.kind === 'incomplete') {
      this.buf = Buffer.from(bytes);
      return;
    }
    if (parsed.kind === 'invalid') {
      this.finish('protocol_error');
      return;
    }
    this.headAt = performance.now();
    const outcome = judgeHandshake(parsed.head, this.pair.accept).outcome;
    if (outcome === 'upgraded' && this.keep) {
      if (bytes.length > parsed.head.length) this.rest = Buffer.from(bytes.subarray(parsed.head.length));
      this.finish(outcome, true);
      return;
    }
    this.finish(outcome);
  }

  finish(outcome: Outcome, keep = false): void {
    if (this.step === Step.Done) return;
    this.step = Step.Done;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.buf = undefined;
    this.outcome = outcome;
    const s = this.sock;
    if (keep) {
      s.removeListener('error', onError);
      s.removeListener('close', onClose);
      if (this.spec.target.secure) s.removeListener('data', onTlsData);
      this.socket = s;
    } else s.destroy();
    // A held socket keeps this object: let go of the caller's callback and what it holds.
    const done = this.done;
    this.done = noop;
    done(this);
  }
}

function onTimeout(a: Attempt, outcome: Outcome): void {
  a.finish(outcome);
}

function onConnect(this: AttemptSocket): void {
  const a = this[ATTEMPT];
  a.connectedAt = performance.now();
  if (a.spec.target.secure) a.step = Step.Tls;
  else a.send();
}

function onSecureConnect(this: AttemptSocket): void {
  this[ATTEMPT].send();
}

function onTlsData(this: AttemptSocket, chunk: Buffer): void {
  this[ATTEMPT].bytes(chunk);
}

/** `onread` calls this as a method of the socket. */
function onRead(this: AttemptSocket, n: number): boolean {
  this[ATTEMPT].bytes(READ_BUFFER.subarray(0, n));
  return true;
}

function onError(this: AttemptSocket, err: NodeJS.ErrnoException): void {
  const a = this[ATTEMPT];
  if (a.step !== Step.Done) a.finish(outcomeOfError(err, STEP_NAMES[a.step]));
}

function onClose(this: AttemptSocket): void {
  const a = this[ATTEMPT];
  if (a.step !== Step.Done) a.finish(outcomeOfClose(STEP_NAMES[a.step], a.statusAt !== undefined));
}

/**
 * One upgrade attempt on a raw socket: connect, write the pre-built request for a pooled key,
 * parse the response head by hand, classify, close (or hand over). Never throws; `done` is called
 * exactly once. Kept lean on purpose: no per-attempt request building, no Nagle toggle, no header
 * copies, no closures (`npm run bench:engine` measures this path against a `ws` loop).
 */
export function runAttempt(
  spec: PreparedRequest,
  keys: KeyPool,
  done: (r: AttemptResult) => void,
  opts: AttemptOptions = {},
): void {
  const { target, cred } = spec;
  const pair = keys.take();
  let request = spec.requests.get(pair);
  if (!request) {
    request = spec.request.bytes(pair);
    spec.requests.set(pair, request);
  }
  const socket = (
    target.secure
      ? // tls.connect hands localAddress on to net.connect; its option type does not list it.
        tlsConnect({
          host: target.host,
          port: target.port,
          ...target.tls,
          ...(cred.clientCert ?? {}),
          ALPNProtocols: ['http/1.1'],
          ...({ localAddress: opts.localAddress } as object),
        })
      : netConnect({
          host: target.host,
          port: target.port,
          localAddress: opts.localAddress,
          onread: { buffer: READ_BUFFER, callback: onRead as (n: number, buf: Uint8Array) => boolean },
        })
  ) as AttemptSocket;
  const a = new Attempt(spec, pair, request, opts.keep === true, done, socket, opts.tap);
  socket[ATTEMPT] = a;
  a.timer = setTimeout(onTimeout, target.connectTimeoutMs, a, outcomeOfTimeout('connect'));
  socket.once('connect', onConnect);
  if (target.secure) {
    socket.once('secureConnect', onSecureConnect);
    socket.on('data', onTlsData);
  }
  socket.on('error', onError);
  socket.on('close', onClose);
}
