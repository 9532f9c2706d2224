import type { Verdict } from '../model/auth.ts';
import type { PlannedCredential } from './credentials.ts';
import type { PlannedTarget } from './targets.ts';

/**
 * A target and a credential set planned directly, outside any scenario: for the benchmarks, for
 * attempts that carry no credential, and for tests. Type imports only, so a bundle that uses them
 * (a benchmark client) loads no scenario machinery.
 */

/** A plain ws:// target from its URL, both timeouts `timeoutMs`. */
export function targetFromUrl(name: string, url: string, timeoutMs = 10_000): PlannedTarget {
  const u = new URL(url);
  const secure = u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const loopback4 = /^127\./.test(u.hostname);
  return {
    name,
    baseline: false,
    url,
    host: u.hostname,
    port,
    secure,
    path: `${u.pathname}${u.search}`,
    tls: {},
    destination: { key: `${u.hostname}:${port}`, loopback4 },
    statusMap: new Map(),
    headers: [],
    connectTimeoutMs: timeoutMs,
    handshakeTimeoutMs: timeoutMs,
  };
}

/** A credential set that sends no credential and expects `expect`. */
export function bareCredential(name = 'bare', expect: Verdict = 200): PlannedCredential {
  return {
    name,
    expect,
    headers: [],
    query: [],
    subprotocols: [],
    confidential: [],
    authState: 'ok',
    weight: 1,
  };
}
