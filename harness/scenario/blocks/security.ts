import { Type } from '@sinclair/typebox';
import { PROBE_FAMILIES, PROBE_IDS } from '../../model/security.ts';
import { Duration, Name, Strict } from '../schema-parts.ts';

/** A probe id (`bypass.path`) or a whole family (`bypass`), as `probes:` and `skip:` name them. */
const ProbeSelector = Type.Union(
  [...PROBE_FAMILIES, ...PROBE_IDS].map((id) => Type.Literal(id)),
  { description: 'A probe (e.g. bypass.path) or a family of probes (fail-closed, bypass, caching, leaks)' },
);

/** The `security:` block. Owned by harness/security/; its presence makes `run` and `check` include the probes. */
export const SecuritySchema = Strict(
  {
    probes: Type.Optional(
      Type.Array(ProbeSelector, { minItems: 1, description: 'Probes or families to run (default: all)' }),
    ),
    skip: Type.Optional(
      Type.Array(ProbeSelector, {
        description: 'Probes or families to leave out; they are reported as not run, "skipped by the scenario"',
      }),
    ),
    allowed: Type.Optional(
      Name(
        'Credential set used as the allowed reference (default: the first that expects 200 with the auth service ok)',
      ),
    ),
    denied: Type.Optional(
      Name(
        'Credential set used as the denied reference (default: the first that expects 401 with the auth service ok)',
      ),
    ),
    authTimeout: Type.Optional(
      Duration(
        'How long the gateway waits for the auth service before failing closed; the hang probe waits this plus ' +
          'half again and 500ms (default: fixtures.authTimeout, else 5s)',
      ),
    ),
  },
  'Security probes: fail-closed under auth faults, bypass attempts with a denied credential, decision caching, leaks',
);
