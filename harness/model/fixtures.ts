/** The bundled fixtures a scenario can name: the vocabulary the schema, the plan and the fixtures share. */

/** Gateways a scenario's `fixtures:` block may start (the misbehaving one is for tests, started by hand). */
export const FIXTURE_GATEWAYS = ['reference', 'nginx', 'caddy', 'haproxy'] as const;
export type FixtureGateway = (typeof FIXTURE_GATEWAYS)[number];

/**
 * The configuration variants each gateway fixture knows (the first is its default), for
 * `fixtures.variants`; the fixtures hold the same lists and a test pins that they agree.
 */
export const FIXTURE_VARIANTS: Record<FixtureGateway, readonly string[]> = {
  reference: ['default', 'auth-cache'],
  nginx: ['shipped', 'default-timeouts', 'no-shutdown-timeout'],
  caddy: ['shipped', 'no-stream-close-delay'],
  haproxy: ['shipped', 'default-timeouts'],
};

/** Gateway fixtures that serve WebSockets over HTTP/2 (RFC 8441) when `fixtures.http2` is set. */
export const FIXTURE_H2_GATEWAYS: readonly FixtureGateway[] = ['reference', 'haproxy'];

/**
 * How long a gateway fixture's old processes may keep sessions after a reload before they are cut (its variant's
 * drain limit, or `fixtures.limits.<gateway>.drain`): nginx `worker_shutdown_timeout` 10 s (none in
 * `no-shutdown-timeout`). Undefined: no deadline. The reference gateway reloads in place; HAProxy's old worker stays
 * until its last session ends; Caddy is one process, and its `stream_close_delay` exists from 2.7 on only (Debian's
 * 2.6 closes every WebSocket at the reload), which the harness cannot tell from here.
 */
export function fixtureDrainDeadlineMs(gateway: FixtureGateway, variant: string, drainMs?: number): number | undefined {
  if (gateway === 'nginx' && variant !== 'no-shutdown-timeout') return drainMs ?? 10_000;
  return undefined;
}
