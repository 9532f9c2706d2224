import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classifySocketError } from '../outcome/classify-error.ts';
import type { Outcome } from '../outcome/outcome.ts';
import { hostHeader, requestPath, type PlannedCredential, type PlannedTarget } from '../plan/plan.ts';
import type { KeyPool } from '../wire/accept.ts';
import { HandshakeRequest } from '../wire/handshake-request.ts';
import { judgeHandshake } from '../wire/handshake-verdict.ts';
import { parseResponseHead } from '../wire/response-head.ts';

/** One credential set through one target, turned into bytes once: the hot path only adds a key. */
export interface AttemptSpec {
  target: PlannedTarget;
  cred: PlannedCredential;
  request: HandshakeRequest;
}

/** Build the attempt spec for a target x credential set. */
export function attemptSpec(target: PlannedTarget, cred: PlannedCredential): AttemptSpec {
  return {
    target,
    cred,
    request: new HandshakeRequest({ path: requestPath(target, cred), host: hostHeader(target), headers: [...target.headers, ...cred.headers], subprotocols: cred.subprotocols, origin: cred.origin }),
  };
}

/** What one load attempt measured; times in ms from `performance.now()` origins given by the caller. */
export interface AttemptResult {
  outcome: Outcome;
  /** When the socket was opened (later than scheduled when the harness ran behind). */
  startedAt: number;
  /** When the TCP connection was up, when the status line arrived, when the head was complete. */
  connectedAt?: number;
  statusAt?: number;
  headAt?: number;
  sentAt?: number;
}

/**
 * One upgrade attempt on a raw socket: connect, write the pre-built request with a pooled key,
 * parse the response head by hand, classify, close. Never throws; `done` is called exactly once.
 */
export function runAttempt(spec: AttemptSpec, keys: KeyPool, done: (r: AttemptResult) => void): void {
  const { target, cred } = spec;
  const pair = keys.take();
  const result: AttemptResult = { outcome: 'closed_before_response', startedAt: performance.now() };
  let phase: 'connect' | 'tls' | 'handshake' | 'done' = 'connect';
  let buf: Buffer | undefined;
  const finish = (outcome: Outcome) => {
    if (phase === 'done') return;
    phase = 'done';
    clearTimeout(timer);
    result.outcome = outcome;
    socket.destroy();
    done(result);
  };
  const socket = target.secure
    ? tlsConnect({ host: target.host, port: target.port, ...target.tls, ...(cred.clientCert ?? {}), ALPNProtocols: ['http/1.1'] })
    : netConnect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  let timer = setTimeout(() => finish('connect_timeout'), target.connectTimeoutMs);
  const send = () => {
    phase = 'handshake';
    clearTimeout(timer);
    timer = setTimeout(() => finish('handshake_timeout'), target.handshakeTimeoutMs);
    result.sentAt = performance.now();
    socket.write(spec.request.bytes(pair));
  };
  socket.once('connect', () => {
    result.connectedAt = performance.now();
    if (target.secure) phase = 'tls';
    else send();
  });
  socket.once('secureConnect', send);
  socket.on('data', (chunk: Buffer) => {
    if (phase !== 'handshake') return;
    if (result.statusAt === undefined) result.statusAt = performance.now();
    buf = buf ? Buffer.concat([buf, chunk]) : chunk;
    const parsed = parseResponseHead(buf);
    if (parsed.kind === 'incomplete') return;
    if (parsed.kind === 'invalid') return finish('protocol_error');
    result.headAt = performance.now();
    finish(judgeHandshake(parsed.head, pair.accept).outcome);
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (phase === 'done') return;
    finish(classifySocketError(err, phase === 'handshake' ? 'handshake' : phase));
  });
  socket.on('close', () => {
    if (phase === 'done') return;
    finish(phase === 'connect' ? 'refused' : phase === 'tls' ? 'tls_error' : buf ? 'protocol_error' : 'closed_before_response');
  });
}
