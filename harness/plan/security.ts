import { familyOf, PROBE_IDS, type ProbeId } from '../model/security.ts';
import { durationOr } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import type { CredentialInfo, PlannedCredential } from './credentials.ts';
import type { Problems } from './problems.ts';

/** Without a hint from the scenario or its fixtures: a common gateway auth timeout is a few seconds. */
const DEFAULT_AUTH_TIMEOUT_MS = 5000;
/** The bundled gateways' default (fixtures.authTimeout). */
const FIXTURE_AUTH_TIMEOUT_MS = 1000;

/** The `security:` block turned into what the suite needs. */
export interface SecuritySetup<C extends CredentialInfo = PlannedCredential> {
  allowed?: C;
  denied?: C;
  authTimeoutMs: number;
  /** Probes to run, in run order. */
  run: ProbeId[];
  /** Probes named in `skip:`, reported as not run. */
  skipped: ProbeId[];
}

/**
 * The security block (or its defaults when there is none, for `wsgate probe`) resolved against
 * `credentials`: the allowed and denied references (named or by default), the auth timeout hint,
 * and which probes run. A named reference that is missing or expects the wrong verdict is a
 * problem at its field.
 */
export function planSecurity<C extends CredentialInfo>(
  scenario: Scenario,
  credentials: readonly C[],
  problems: Problems,
): SecuritySetup<C> {
  const block = scenario.doc.security ?? {};
  const pick = (field: 'allowed' | 'denied', fits: (c: C) => boolean, want: string) => {
    const name = block[field];
    if (name === undefined) return credentials.find((c) => c.authState === 'ok' && fits(c));
    const cred = credentials.find((c) => c.name === name);
    if (!cred) {
      problems.add(
        ['security', field],
        `no credential set is named "${name}" (known: ${credentials.map((c) => c.name).join(', ')})`,
      );
      return undefined;
    }
    if (!fits(cred) || cred.authState !== 'ok') {
      const state = cred.authState !== 'ok' ? ` with the auth service ${cred.authState}` : '';
      problems.add(
        ['security', field],
        `"${name}" expects ${cred.expect}${state}; the ${field} reference must be a set that ${want} with the auth ` +
          `service ok`,
      );
      return undefined;
    }
    return cred;
  };
  const allowed = pick('allowed', (c) => c.expect === 200, 'expects 200');
  const denied = pick(
    'denied',
    (c) => (block.denied === undefined ? c.expect === 401 : c.expect !== 200),
    block.denied === undefined ? 'expects 401' : 'expects a denial (not 200)',
  );
  const fixtures = scenario.doc.fixtures;
  const fixtureTimeout = fixtures
    ? durationOr(typeof fixtures === 'object' ? fixtures.authTimeout : undefined, FIXTURE_AUTH_TIMEOUT_MS)
    : DEFAULT_AUTH_TIMEOUT_MS;
  const matches = (id: ProbeId, list: readonly string[]) => list.includes(id) || list.includes(familyOf(id));
  const chosen = PROBE_IDS.filter((id) => !block.probes || matches(id, block.probes));
  const skipped = chosen.filter((id) => matches(id, block.skip ?? []));
  return {
    allowed,
    denied,
    authTimeoutMs: durationOr(block.authTimeout, fixtureTimeout),
    run: chosen.filter((id) => !skipped.includes(id)),
    skipped,
  };
}
