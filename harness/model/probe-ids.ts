/**
 * The names of the security probes, in the order they run on each target. Decision caching runs
 * last: a gateway that caches allow decisions would otherwise poison every probe after it.
 */
export const PROBE_IDS = [
  'bypass.path',
  'bypass.header-case',
  'bypass.duplicate-headers',
  'bypass.credential-placement',
  'bypass.http10',
  'bypass.websocket-key',
  'bypass.websocket-version',
  'bypass.connection-header',
  'bypass.oversized-headers',
  'bypass.crlf',
  'leaks.denied-to-backend',
  'leaks.error-body',
  'fail-closed.auth-error',
  'fail-closed.auth-hang',
  'fail-closed.auth-down',
  'fail-closed.auth-garbage',
  'leaks.secrets-forwarded',
  'caching.deny-after-allow',
] as const;

export type ProbeId = (typeof PROBE_IDS)[number];

export const PROBE_FAMILIES = ['fail-closed', 'bypass', 'caching', 'leaks'] as const;

export type ProbeFamily = (typeof PROBE_FAMILIES)[number];

/** The family a probe belongs to: the part of its id before the dot. */
export function familyOf(id: ProbeId): ProbeFamily {
  return id.slice(0, id.indexOf('.')) as ProbeFamily;
}
