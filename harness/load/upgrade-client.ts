import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classifySocketError } from '../outcome/classify-error.ts';
import type { Outcome } from '../outcome/outcome.ts';
import { hostHeader, requestPath, type PlannedCredential, type PlannedTarget } from '../plan/plan.ts';
import type { KeyPair, KeyPool } from '../wire/accept.ts';
import { HandshakeRequest } from '../wire/handshake-request.ts';
import { judgeHandshake } from '../wire/handshake-verdict.ts';
import { parseResponseHead } from '../wire/response-head.ts';

/** One credential set through one target, turned into bytes once: the hot path only picks a key. */
export interface AttemptSpec {
  target: PlannedTarget;
  cred: PlannedCredential;
  request: HandshakeRequest;
  /** Whole requests per pooled key, built on first use (a key pool is small and fixed). */
  requests: WeakMap<KeyPair, Buffer>;
}

/** Build the attempt spec for a target x credential set. */
export function attemptSpec(target: PlannedTarget, cred: PlannedCredential): AttemptSpec {
  return {
    target,
    cred,
    request: new HandshakeRequest({ path: requestPath(target, cred), host: hostHeader(target), headers: [...target.headers, ...cred.headers], subprotocols: cred.subprotocols, origin: cred.origin }),
    requests: new WeakMap(),
  };
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
  /**
   * With `keep` and an upgrade: where the socket's later bytes go. The view passed to `reader` is
   * only valid during the call (plain sockets read into one shared buffer); copy what you keep.
   */
  readInto?: (reader: (view: Buffer) => void) => void;
}

/**
 * Plain sockets read into this one buffer (`onread`), which skips the stream machinery per read:
 * about a sixth of the client's CPU per handshake. Safe because the loop is single-threaded and a
 * reader copies anything it keeps past the call.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export interface AttemptOptions {
  /** Hand an upgraded socket to the caller instead of closing it. */
  keep?: boolean;
  /** Source address to bind (loopback rotation past one address pair's ephemeral ports). */
  localAddress?: string;
}

/**
 * One upgrade attempt on a raw socket: connect, write the pre-built request for a pooled key,
 * parse the response head by hand, classify, close (or hand over). Never throws; `done` is called
 * exactly once. Kept lean on purpose: no per-attempt request building, no Nagle toggle, no header
 * copies (`npm run bench:engine` measures this path against a `ws` loop).
 */
export function runAttempt(spec: AttemptSpec, keys: KeyPool, done: (r: AttemptResult) => void, opts: AttemptOptions = {}): void {
  const { target, cred } = spec;
  const pair = keys.take();
  let request = spec.requests.get(pair);
  if (!request) {
    request = spec.request.bytes(pair);
    spec.requests.set(pair, request);
  }
  const result: AttemptResult = { outcome: 'closed_before_response', startedAt: performance.now() };
  // 0 connect, 1 tls, 2 handshake, 3 done
  let phase = 0;
  /** Bytes of an incomplete head, copied out of the shared read buffer. */
  let buf: Buffer | undefined;
  let reader: ((view: Buffer) => void) | undefined;
  const finish = (outcome: Outcome, keep = false) => {
    if (phase === 3) return;
    phase = 3;
    clearTimeout(timer);
    result.outcome = outcome;
    if (keep) {
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (target.secure) socket.removeListener('data', onData);
      result.socket = socket;
      result.readInto = (r) => {
        reader = r;
        if (target.secure) socket.on('data', r);
      };
    } else socket.destroy();
    done(result);
  };
  const socket: Socket = target.secure
    ? // tls.connect hands localAddress on to net.connect; its option type does not list it.
      tlsConnect({ host: target.host, port: target.port, ...target.tls, ...(cred.clientCert ?? {}), ALPNProtocols: ['http/1.1'], ...({ localAddress: opts.localAddress } as object) })
    : netConnect({
        host: target.host,
        port: target.port,
        localAddress: opts.localAddress,
        onread: {
          buffer: READ_BUFFER,
          callback: (n: number) => {
            const view = READ_BUFFER.subarray(0, n);
            if (reader) reader(view);
            else onData(view);
            return true;
          },
        },
      });
  let timer = setTimeout(() => finish('connect_timeout'), target.connectTimeoutMs);
  const send = () => {
    phase = 2;
    clearTimeout(timer);
    timer = setTimeout(() => finish('handshake_timeout'), target.handshakeTimeoutMs);
    result.sentAt = performance.now();
    if (target.secure) result.secureAt = result.sentAt;
    socket.write(request);
  };
  const onData = (chunk: Buffer) => {
    if (phase !== 2) return;
    if (result.statusAt === undefined) result.statusAt = performance.now();
    const bytes = buf ? Buffer.concat([buf, chunk]) : chunk;
    const parsed = parseResponseHead(bytes);
    if (parsed.kind === 'incomplete') {
      buf = Buffer.from(bytes);
      return;
    }
    if (parsed.kind === 'invalid') return finish('protocol_error');
    result.headAt = performance.now();
    const outcome = judgeHandshake(parsed.head, pair.accept).outcome;
    if (outcome === 'upgraded' && opts.keep) {
      if (bytes.length > parsed.head.length) result.rest = Buffer.from(bytes.subarray(parsed.head.length));
      return finish(outcome, true);
    }
    finish(outcome);
  };
  const onError = (err: NodeJS.ErrnoException) => {
    if (phase !== 3) finish(classifySocketError(err, phase === 2 ? 'handshake' : phase === 1 ? 'tls' : 'connect'));
  };
  const onClose = () => {
    if (phase !== 3) finish(phase === 0 ? 'refused' : phase === 1 ? 'tls_error' : result.statusAt !== undefined ? 'protocol_error' : 'closed_before_response');
  };
  socket.once('connect', () => {
    result.connectedAt = performance.now();
    if (target.secure) phase = 1;
    else send();
  });
  if (target.secure) {
    socket.once('secureConnect', send);
    socket.on('data', onData);
  }
  socket.on('error', onError);
  socket.on('close', onClose);
}
