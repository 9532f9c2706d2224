import type { PlannedCredential, PlannedTarget } from '../../harness/plan/plan.ts';

/** A plain ws:// target on loopback with short timeouts, for probe-level tests. */
export function loopbackTarget(port: number, patch: Partial<PlannedTarget> = {}): PlannedTarget {
  return {
    name: 'loopback',
    baseline: false,
    url: `ws://127.0.0.1:${port}/echo`,
    host: '127.0.0.1',
    port,
    secure: false,
    path: '/echo',
    tls: {},
    destination: { key: `127.0.0.1:${port}`, loopback4: true },
    statusMap: new Map(),
    headers: [],
    connectTimeoutMs: 1000,
    handshakeTimeoutMs: 1000,
    ...patch,
  };
}

/** A credential set with no credentials, expecting `expect`. */
export function bareCredential(patch: Partial<PlannedCredential> = {}): PlannedCredential {
  return {
    name: 'bare',
    expect: 200,
    headers: [],
    query: [],
    subprotocols: [],
    confidential: [],
    authState: 'ok',
    weight: 1,
    ...patch,
  };
}
