import type { ProbeId } from '../../model/security.ts';
import type { SecurityProbe } from '../security-probe.ts';
import { BYPASS_PROBES } from './bypass.ts';
import { cachingDenyAfterAllow } from './caching.ts';
import { FAIL_CLOSED_PROBES } from './fail-closed.ts';
import { leaksDeniedToBackend, leaksErrorBody, leaksSecretsForwarded } from './leaks.ts';

/** Every security probe by id; the suite runs them in PROBE_IDS order. */
export const PROBES: Record<ProbeId, SecurityProbe> = Object.fromEntries(
  [
    ...BYPASS_PROBES,
    ...FAIL_CLOSED_PROBES,
    leaksDeniedToBackend,
    leaksErrorBody,
    leaksSecretsForwarded,
    cachingDenyAfterAllow,
  ].map((p) => [p.id, p]),
) as Record<ProbeId, SecurityProbe>;
