import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import type { RunningFixtures } from '../../fixtures/index.ts';
import {
  type GatewayFaults,
  type MisbehavingGateway,
  NO_FAULTS,
} from '../../fixtures/node-gateway/misbehaving-gateway.ts';
import { authControlFor } from '../../harness/client/auth-control.ts';
import type { SecurityResult } from '../../harness/model/security.ts';
import { PROBE_IDS, type ProbeFamily, type ProbeId } from '../../harness/model/security.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { runSecurity } from '../../harness/security/suite.ts';
import { referencesYaml, startGatewayPair, targetYaml } from './gateway-pair.ts';

let fx: RunningFixtures;
let bad: MisbehavingGateway;
const app = FIXTURE_CREDENTIALS.validApp;

before(async () => {
  ({ fx, bad } = await startGatewayPair());
});
after(() => fx.stop());

/** Run `probes` against one fixture gateway, as a user's scenario with literal loopback URLs would. */
async function runProbes(
  gateway: 'misbehaving' | 'reference',
  probes: ReadonlyArray<ProbeId | ProbeFamily> = PROBE_IDS,
): Promise<SecurityResult> {
  const text = `name: faults
targets:
${targetYaml(fx, gateway)}
${referencesYaml(fx)}
  - { name: missing-client-id, expect: 400, headers: { X-IBM-Client-Secret: ${app.secret} } }
security: { authTimeout: 300ms, probes: ${JSON.stringify(probes)} }
`;
  const scenario = parseScenario(text, 'faults.yaml');
  return runSecurity(await buildPlan(scenario, fx.urls), { authControl: authControlFor(scenario.doc, fx.urls) });
}

const failedIds = (r: SecurityResult) => r.probes.filter((p) => p.status === 'failed').map((p) => p.probe);

test('every probe passes against the reference gateway and names the references it used', async () => {
  const r = await runProbes('reference');
  assert.equal(r.probes.length, PROBE_IDS.length);
  assert.deepEqual(
    failedIds(r),
    [],
    JSON.stringify(
      r.probes.filter((p) => p.status !== 'passed'),
      null,
      1,
    ),
  );
  assert.equal(r.passed, PROBE_IDS.length);
  assert.deepEqual(r.references, { allowed: 'valid-app', denied: 'wrong-secret' });
  for (const p of r.probes)
    assert.ok(
      p.attempts.length > 0 && p.attempts.every((a) => a.reachedBackend !== null),
      `${p.probe} sent attempts and checked the backend`,
    );
});

test('every probe passes against the misbehaving gateway with all faults off', async () => {
  bad.setFaults(NO_FAULTS);
  const r = await runProbes('misbehaving');
  assert.deepEqual(failedIds(r), []);
  assert.equal(r.notRun, 0);
});

/** Each fault, the probes that must catch it, and what their reasons must say. */
const FAULTS: Array<{ fault: Partial<GatewayFaults>; probes: ProbeId[]; says: RegExp; unrelated?: ProbeId }> = [
  {
    fault: { failOpenOnError: true },
    probes: ['fail-closed.auth-error', 'fail-closed.auth-down', 'fail-closed.auth-garbage'],
    says: /auth service .*: upgraded: the gateway let it in; reached the backend/,
  },
  {
    fault: { failOpenOnTimeout: true },
    probes: ['fail-closed.auth-hang'],
    says: /auth service never answers: upgraded: the gateway let it in/,
  },
  {
    fault: { forwardSecrets: true },
    probes: ['leaks.secrets-forwarded'],
    says: /the backend received header x-ibm-client-secret, which the gateway must strip/,
  },
  {
    fault: { unauthPathVariant: '//echo' },
    probes: ['bypass.path'],
    says: /^leading \/\/: upgraded: the gateway let it in; reached the backend \(as \/\/echo\)/,
  },
  { fault: { unauthPathVariant: '/Echo' }, probes: ['bypass.path'], says: /^first segment capitalised: upgraded/ },
  { fault: { unauthPathVariant: '/echo/' }, probes: ['bypass.path'], says: /^trailing slash: upgraded/ },
  {
    fault: { cacheAllowPerClient: true },
    probes: ['caching.deny-after-allow'],
    says: /^denied reference right after an allow: upgraded: the gateway let it in/,
  },
  {
    fault: { echoRequestInDenial: true },
    probes: ['leaks.error-body'],
    says: /^credential set wrong-secret: the response echoed a secret of wrong-secret in its body/,
  },
  {
    fault: { letDeniedThrough: true },
    probes: ['leaks.denied-to-backend'],
    says: /^credential set wrong-secret: upgraded: the gateway let it in; reached the backend/,
    unrelated: 'fail-closed.auth-error',
  },
];

for (const { fault, probes, says, unrelated = 'bypass.websocket-key' } of FAULTS) {
  test(
    `fault ${JSON.stringify(fault)} is caught by ${probes.join(', ')} (an unrelated probe stays green); ` +
      `off, they pass`,
    async () => {
      bad.setFaults({ ...NO_FAULTS, ...fault });
      try {
        // The fault's own probes plus one unrelated probe, which must stay green: the catch is specific.
        const on = await runProbes('misbehaving', [...probes, unrelated]);
        assert.deepEqual(failedIds(on).sort(), [...probes].sort());
        for (const p of on.probes.filter((x) => x.status === 'failed'))
          assert.match(p.reasons.join('\n'), says, p.probe);
        bad.setFaults(NO_FAULTS);
        const off = await runProbes('misbehaving', probes);
        assert.deepEqual(failedIds(off), []);
        assert.equal(off.passed, probes.length);
      } finally {
        bad.setFaults(NO_FAULTS);
      }
    },
  );
}

test(
  'a gateway that lets denied credentials through fails every bypass probe whose variant reaches its ' +
    'auth decision',
  async () => {
    bad.setFaults({ ...NO_FAULTS, letDeniedThrough: true });
    try {
      const r = await runProbes('misbehaving', ['bypass']);
      const failed = failedIds(r);
      // Node's HTTP parser refuses CR/LF tricks before the gateway decides anything, so that one stays safe.
      assert.deepEqual(
        failed,
        PROBE_IDS.filter((id) => id.startsWith('bypass.') && id !== 'bypass.crlf'),
      );
      const key = r.probes.find((p) => p.probe === 'bypass.websocket-key')!;
      // The backend refused the keyless upgrade itself, so the client saw no 101: the backend record still proves the
      // leak.
      assert.ok(
        key.attempts.some(
          (a) => a.outcome !== 'upgraded' && a.reachedBackend && /reached the backend/.test(a.unsafe ?? ''),
        ),
      );
    } finally {
      bad.setFaults(NO_FAULTS);
    }
  },
);
