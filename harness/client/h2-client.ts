import { type ClientHttp2Session, type ClientHttp2Stream, connect as h2connect } from 'node:http2';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Evidence } from '../model/conformance.ts';
import { httpOutcome } from '../model/outcome.ts';
import { outcomeOfError, outcomeOfTimeout } from '../outcome/classify.ts';
import { hostHeader, type PlannedCredential, type PlannedTarget, requestPath } from '../plan/plan.ts';
import { ATTEMPT_HEADER } from './evidence-client.ts';
import type { WireTap } from './wire-tap.ts';
import type { SessionTransport } from './ws-session.ts';

/** Request headers HTTP/2 forbids (RFC 9113 8.2.2): the connection's own, which an extended CONNECT does not carry. */
const CONNECTION_SPECIFIC = new Set(['connection', 'upgrade', 'keep-alive', 'proxy-connection', 'transfer-encoding']);
const BODY_SNIPPET_BYTES = 512;
const BODY_WAIT_MS = 200;
const KEPT_HEADERS = ['www-authenticate', 'content-type', 'server', 'server-timing', 'sec-websocket-protocol'];

/** Where a target serves WebSockets over HTTP/2: its ws:// (h2c, prior knowledge) or wss:// (ALPN h2) URL. */
export interface H2Endpoint {
  url: URL;
  /** The target, for TLS options, timeouts and its headers. */
  target: PlannedTarget;
}

/** An HTTP/2 connection that agreed to extended CONNECT, or why there is none (the check is then not applicable). */
export type H2Connection = { ok: true; session: ClientHttp2Session } | { ok: false; reason: string; fatal: boolean };

/**
 * Open an HTTP/2 connection to `endpoint` and wait (bounded) for the server's SETTINGS: only a
 * server that sends SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 3) takes WebSockets over HTTP/2.
 * A TLS server is asked for h2 by ALPN first, so one that picks http/1.1 is told apart from one
 * that cannot be reached (`fatal`).
 */
export async function openHttp2(endpoint: H2Endpoint): Promise<H2Connection> {
  const { url, target } = endpoint;
  const timeoutMs = target.connectTimeoutMs + target.handshakeTimeoutMs;
  let tls: TLSSocket | undefined;
  if (url.protocol === 'wss:') {
    const alpn = await new Promise<{ socket?: TLSSocket; error?: string }>((resolve) => {
      const s = tlsConnect({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || 443),
        ...target.tls,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const timer = setTimeout(() => {
        s.destroy();
        resolve({ error: `no TLS handshake within ${target.connectTimeoutMs} ms` });
      }, target.connectTimeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        resolve({ socket: s });
      });
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ error: err.code ?? err.message });
      });
    });
    if (!alpn.socket) return { ok: false, reason: `TLS to ${url.host} failed: ${alpn.error}`, fatal: true };
    if (alpn.socket.alpnProtocol !== 'h2') {
      alpn.socket.destroy();
      const chose = alpn.socket.alpnProtocol ? `chose ${alpn.socket.alpnProtocol}` : 'offered no protocol';
      return { ok: false, reason: `the server does not speak HTTP/2: asked for h2 by ALPN, it ${chose}`, fatal: false };
    }
    tls = alpn.socket;
  }
  const authority = `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}`;
  const session = h2connect(authority, tls ? { createConnection: () => tls } : {});
  session.on('error', () => undefined);
  const settled = await new Promise<H2Connection>((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, reason: `no HTTP/2 SETTINGS from ${url.host} within ${timeoutMs} ms`, fatal: true }),
      timeoutMs,
    );
    session.once('remoteSettings', (settings) => {
      clearTimeout(timer);
      resolve(
        settings.enableConnectProtocol
          ? { ok: true, session }
          : {
              ok: false,
              reason: 'HTTP/2 without extended CONNECT: the server sent no SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)',
              fatal: false,
            },
      );
    });
    session.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `HTTP/2 to ${url.host} failed: ${err.code ?? err.message}`, fatal: true });
    });
    session.once('close', () => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `${url.host} closed the HTTP/2 connection before its SETTINGS`, fatal: true });
    });
  });
  if (!settled.ok) session.destroy();
  return settled;
}

/**
 * One extended CONNECT (`:protocol: websocket`, RFC 8441 4) on `session` with a credential set, with
 * the same evidence an HTTP/1.1 attempt has: a 200 is `upgraded` (the WebSocket runs on the stream,
 * handed over as a SessionTransport), any other status `http_<status>` with its body snippet, a
 * reset stream or a timeout the outcome they are. Never throws; the caller closes the session.
 */
export function connectWithEvidence(
  session: ClientHttp2Session,
  endpoint: H2Endpoint,
  cred: PlannedCredential,
  opts: { attemptId: string; tap?: WireTap },
): Promise<{ evidence: Evidence; transport?: SessionTransport }> {
  const { url, target } = endpoint;
  const start = performance.now();
  const since = () => Math.round((performance.now() - start) * 1000) / 1000;
  const evidence: Evidence = { attemptId: opts.attemptId, outcome: 'closed_before_response', headers: {}, timings: {} };
  const path = requestPath({ path: url.pathname === '/' ? target.path : url.pathname + url.search }, cred);
  const headers: Record<string, string | string[]> = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': url.protocol === 'wss:' ? 'https' : 'http',
    ':path': path,
    ':authority': hostHeader({ host: url.hostname, port: Number(url.port || 0), secure: url.protocol === 'wss:' }),
    'sec-websocket-version': '13',
  };
  const add = (name: string, value: string) => {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower) || lower === 'host') return;
    const prev = headers[lower];
    headers[lower] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  };
  for (const [n, v] of [...target.headers, ...cred.headers]) add(n, v);
  add(ATTEMPT_HEADER, opts.attemptId);
  if (cred.origin) add('origin', cred.origin);
  if (cred.subprotocols.length > 0) add('sec-websocket-protocol', cred.subprotocols.join(', '));
  opts.tap?.sent(Buffer.from(`${headLines(headers)}\r\n\r\n`, 'latin1'));

  return new Promise((resolve) => {
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (err) {
      evidence.outcome = 'protocol_error';
      evidence.problem = `the extended CONNECT could not be sent: ${(err as Error).message}`;
      return resolve({ evidence });
    }
    let done = false;
    const finish = (patch: Partial<Evidence>, transport?: SessionTransport) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      Object.assign(evidence, patch);
      if (!transport) stream.destroy();
      resolve({ evidence, ...(transport ? { transport } : {}) });
    };
    const timer = setTimeout(() => finish({ outcome: outcomeOfTimeout('handshake') }), target.handshakeTimeoutMs);
    stream.on('error', () => undefined);
    stream.once('response', (h) => {
      const status = Number(h[':status']);
      evidence.timings.statusMs = since();
      evidence.statusLine = `HTTP/2 ${status}`;
      for (const name of KEPT_HEADERS) {
        const v = h[name];
        if (v !== undefined) evidence.headers[name] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      opts.tap?.received(Buffer.from(`HTTP/2 ${status}\r\n${headLines(h, true)}\r\n\r\n`, 'latin1'));
      if (status === 200) {
        evidence.timings.upgradeMs = since();
        const protocol = h['sec-websocket-protocol'];
        if (protocol !== undefined) evidence.subprotocol = String(protocol);
        stream.pause();
        return finish(
          { outcome: 'upgraded' },
          {
            duplex: stream,
            write: (b) => {
              opts.tap?.sent(b);
              stream.write(b);
            },
            leftover: Buffer.alloc(0),
            ...(opts.tap ? { tap: opts.tap } : {}),
            resetCode: () => (stream.rstCode ? `the stream was reset (RST_STREAM ${stream.rstCode})` : undefined),
          },
        );
      }
      // A denial: its body, briefly.
      evidence.outcome = httpOutcome(status);
      let body = Buffer.alloc(0);
      const snippet = () => (body.length ? body.subarray(0, BODY_SNIPPET_BYTES).toString('utf8') : undefined);
      stream.on('data', (d: Buffer) => {
        body = Buffer.concat([body, d]);
        if (body.length >= BODY_SNIPPET_BYTES) finish({ bodySnippet: snippet() });
      });
      stream.once('end', () => finish({ bodySnippet: snippet() }));
      setTimeout(() => finish({ bodySnippet: snippet() }), BODY_WAIT_MS).unref();
    });
    stream.once('close', () => {
      if (done) return;
      if (stream.rstCode)
        finish({ outcome: 'reset', problem: `the stream was reset (RST_STREAM ${stream.rstCode}) before a response` });
      else finish({ outcome: 'closed_before_response' });
    });
    session.once('error', (err: NodeJS.ErrnoException) =>
      finish({ outcome: outcomeOfError(err, 'handshake'), problem: err.code ?? err.message }),
    );
  });
}

/** Header lines of an HTTP/2 header block, as a trace shows them (pseudo-headers first, as sent). */
function headLines(h: Record<string, unknown>, skipPseudo = false): string {
  return Object.entries(h)
    .filter(([k, v]) => v !== undefined && !(skipPseudo && k.startsWith(':')))
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${String(x)}`))
    .join('\r\n');
}
