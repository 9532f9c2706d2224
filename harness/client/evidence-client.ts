import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Evidence } from '../model/conformance.ts';
import { outcomeOfClose, outcomeOfError, outcomeOfTimeout } from '../outcome/classify.ts';
import { hostHeader, type PlannedCredential, type PlannedTarget, requestPath } from '../plan/plan.ts';
import { type KeyPair, newKeyPair } from '../wire/accept.ts';
import {
  encodeClientFrame,
  encodeClose,
  OP_CLOSE,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  parseServerFrame,
} from '../wire/frame.ts';
import { HandshakeRequest } from '../wire/handshake-request.ts';
import { judgeHandshake } from '../wire/handshake-verdict.ts';
import { parseResponseHead, type ResponseHead } from '../wire/response-head.ts';
import type { WireTap } from './wire-tap.ts';

/** Header every attempt with evidence carries, so the backend record can be matched to it. */
export const ATTEMPT_HEADER = 'X-Wsgate-Attempt';

/** Response headers kept as evidence (the rest is noise for a reader). */
const EVIDENCE_HEADERS = [
  'www-authenticate',
  'content-type',
  'content-length',
  'server',
  'server-timing',
  'connection',
  'upgrade',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-request-id',
  'retry-after',
];

const BODY_SNIPPET_BYTES = 512;
/** How long to wait for a body without Content-Length after a non-101 head. */
const BODY_WAIT_MS = 200;

export interface EvidenceOptions {
  attemptId: string;
  /** Send this text after an upgrade and expect it back; no echo when undefined. */
  echo?: string;
  echoTimeoutMs: number;
  /** Raw extra headers for special probes (security bypass variants). */
  extraHeaders?: Array<[string, string]>;
  /** Replace the request path (security bypass variants). */
  pathOverride?: string;
  /** Send these bytes instead of the request built from target and credential (raw security variants). */
  request?: (pair: KeyPair) => Buffer;
  /** `--trace`: fed every byte written and read. */
  tap?: WireTap;
}

/** An upgraded connection handed over by `upgradeWithEvidence`, paused until its new reader resumes it. */
export interface KeptConnection {
  socket: Socket | TLSSocket;
  /** Writes through the attempt's tap (`--trace`, session evidence): every byte sent goes here. */
  write(bytes: Buffer): void;
  /** Bytes that came after the 101 head, not read yet. */
  leftover: Buffer;
  tap?: WireTap;
}

/**
 * One upgrade attempt with full evidence, over a raw socket so every outcome class is visible
 * (a `ws` client folds several of them into one error). Never throws: failures are outcomes.
 * Conformance checks, security probes and the overhead measurement use it; the load engine has
 * its own lean client (load-client.ts), and both classify by outcome/classify.ts.
 */
export async function attemptWithEvidence(
  target: PlannedTarget,
  cred: PlannedCredential,
  opts: EvidenceOptions,
): Promise<Evidence> {
  return (await attempt(target, cred, opts, false)).evidence;
}

/**
 * The same attempt, but an upgraded connection is kept open and handed over (no echo is sent) for a
 * session to go on over it; the caller closes it. Never throws: failures are outcomes.
 */
export function upgradeWithEvidence(
  target: PlannedTarget,
  cred: PlannedCredential,
  opts: Omit<EvidenceOptions, 'echo'>,
): Promise<{ evidence: Evidence; connection?: KeptConnection }> {
  return attempt(target, cred, opts, true);
}

function attempt(
  target: PlannedTarget,
  cred: PlannedCredential,
  opts: EvidenceOptions,
  keep: boolean,
): Promise<{ evidence: Evidence; connection?: KeptConnection }> {
  const pair = newKeyPair();
  const request = new HandshakeRequest({
    path: opts.pathOverride ?? requestPath(target, cred),
    host: hostHeader(target),
    headers: [...target.headers, ...cred.headers, [ATTEMPT_HEADER, opts.attemptId], ...(opts.extraHeaders ?? [])],
    subprotocols: cred.subprotocols,
    origin: cred.origin,
  });
  return new Promise((resolve) => {
    const start = performance.now();
    const since = () => round(performance.now() - start);
    const evidence: Evidence = {
      attemptId: opts.attemptId,
      outcome: 'closed_before_response',
      headers: {},
      timings: {},
    };
    let step: 'connect' | 'tls' | 'handshake' | 'body' | 'echo' | 'done' = 'connect';
    let buf: Buffer = Buffer.alloc(0);
    let head: ResponseHead | undefined;
    let timer: NodeJS.Timeout | undefined;
    let echoSentAt = 0;

    const tap = opts.tap;
    const write = (bytes: Buffer) => {
      tap?.sent(bytes);
      socket.write(bytes);
    };
    const finish = (patch?: Partial<Evidence>) => {
      if (step === 'done') return;
      step = 'done';
      clearTimeout(timer);
      Object.assign(evidence, patch);
      socket.removeAllListeners('data');
      socket.on('error', () => {});
      if (evidence.outcome === 'upgraded' && !socket.destroyed) {
        const close = encodeClose(1000);
        tap?.sent(close);
        socket.end(close);
        setTimeout(() => socket.destroy(), 200).unref();
      } else socket.destroy();
      resolve({ evidence });
    };
    /** Hand the upgraded socket over, paused so no byte is emitted before its new reader listens. */
    const handOver = () => {
      step = 'done';
      clearTimeout(timer);
      socket.pause();
      socket.removeAllListeners('data');
      socket.on('error', () => {});
      resolve({ evidence, connection: { socket, write, leftover: buf, ...(tap ? { tap } : {}) } });
    };
    const arm = (ms: number, onTimeout: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, ms);
    };

    const socket: Socket | TLSSocket = target.secure
      ? tlsConnect({
          host: target.host,
          port: target.port,
          ...target.tls,
          ...(cred.clientCert ? { cert: cred.clientCert.cert, key: cred.clientCert.key } : {}),
          ALPNProtocols: ['http/1.1'],
        })
      : netConnect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    arm(target.connectTimeoutMs, () => finish({ outcome: outcomeOfTimeout('connect') }));

    socket.once('connect', () => {
      evidence.timings.connectMs = since();
      if (target.secure) step = 'tls';
      else send();
    });
    socket.once('secureConnect', () => {
      evidence.timings.tlsMs = round(since() - (evidence.timings.connectMs ?? 0));
      send();
    });
    const send = () => {
      step = 'handshake';
      arm(target.handshakeTimeoutMs, () => finish({ outcome: outcomeOfTimeout('handshake') }));
      write(opts.request ? opts.request(pair) : request.bytes(pair));
    };

    socket.on('data', (chunk: Buffer) => {
      tap?.received(chunk);
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (step === 'handshake') {
        if (evidence.timings.statusMs === undefined) evidence.timings.statusMs = since();
        const parsed = parseResponseHead(buf);
        if (parsed.kind === 'incomplete') return;
        if (parsed.kind === 'invalid') {
          finish({ outcome: 'protocol_error', problem: parsed.reason, bodySnippet: snippet(buf) });
          return;
        }
        head = parsed.head;
        buf = buf.subarray(head.length);
        evidence.statusLine = `HTTP/${head.httpVersion} ${head.statusCode} ${head.reason}`.trim();
        for (const name of EVIDENCE_HEADERS) {
          const v = head.headers.get(name);
          if (v) evidence.headers[name] = v.join(', ');
        }
        const verdict = judgeHandshake(head, pair.accept);
        evidence.outcome = verdict.outcome;
        if (verdict.problem) evidence.problem = verdict.problem;
        if (verdict.outcome === 'upgraded') {
          evidence.timings.upgradeMs = since();
          evidence.subprotocol = head.headers.get('sec-websocket-protocol')?.[0];
          if (keep) return handOver();
          if (opts.echo === undefined) return finish();
          step = 'echo';
          echoSentAt = performance.now();
          arm(opts.echoTimeoutMs, () =>
            finish({ echo: { ok: false, problem: `no echo within ${opts.echoTimeoutMs} ms` } }),
          );
          write(encodeClientFrame(OP_TEXT, Buffer.from(opts.echo)));
        } else if (verdict.outcome === 'protocol_error') {
          return finish();
        } else {
          step = 'body';
          arm(BODY_WAIT_MS, () => finish({ bodySnippet: snippet(buf) }));
        }
      }
      if (step === 'body') {
        const length = Number(head?.headers.get('content-length')?.[0] ?? NaN);
        if (buf.length >= BODY_SNIPPET_BYTES || buf.length >= length) finish({ bodySnippet: snippet(buf) });
        return;
      }
      if (step === 'echo') readEcho();
    });

    const readEcho = () => {
      for (;;) {
        const parsed = parseServerFrame(buf);
        if (parsed.kind === 'incomplete') return;
        if (parsed.kind === 'invalid') return finish({ echo: { ok: false, problem: parsed.reason } });
        buf = buf.subarray(parsed.length);
        const { opcode, payload } = parsed.frame;
        if (opcode === OP_PING) {
          write(encodeClientFrame(OP_PONG, Buffer.from(payload)));
          continue;
        }
        if (opcode === OP_PONG) continue;
        if (opcode === OP_CLOSE) {
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          return finish({ echo: { ok: false, problem: `connection closed with code ${code} before the echo` } });
        }
        evidence.timings.echoMs = round(performance.now() - echoSentAt);
        const ok = opcode === OP_TEXT && payload.toString() === opts.echo;
        return finish({ echo: ok ? { ok } : { ok, problem: 'echo came back different from what was sent' } });
      }
    };

    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (step === 'done') return;
      if (step === 'body') return finish({ bodySnippet: snippet(buf) });
      if (step === 'echo')
        return finish({ echo: { ok: false, problem: `socket error during echo: ${err.code ?? err.message}` } });
      finish({ outcome: outcomeOfError(err, step), problem: err.code ?? err.message });
    });
    socket.on('close', () => {
      if (step === 'done') return;
      if (step === 'body') return finish({ bodySnippet: snippet(buf) });
      if (step === 'echo') return finish({ echo: { ok: false, problem: 'connection closed before the echo' } });
      const outcome = outcomeOfClose(step, buf.length > 0);
      if (outcome === 'protocol_error')
        return finish({ outcome, problem: 'connection closed inside the response head', bodySnippet: snippet(buf) });
      if (outcome === 'tls_error') return finish({ outcome, problem: 'connection closed during the TLS handshake' });
      finish({ outcome });
    });
  });
}

function snippet(buf: Buffer): string | undefined {
  if (buf.length === 0) return undefined;
  return buf
    .subarray(0, BODY_SNIPPET_BYTES)
    .toString('utf8')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '.');
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
