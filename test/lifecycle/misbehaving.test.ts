import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import type { GatewayFaults, MisbehavingGateway } from '../../fixtures/node-gateway/misbehaving-gateway.ts';
import { authLeverFor } from '../../harness/client/auth-lever.ts';
import { type GatewayActions, runLifecycle } from '../../harness/lifecycle/lifecycle.ts';
import type { LifecycleCheckResult, LifecycleResult } from '../../harness/model/lifecycle.ts';
import { jwtKeys, planCredential } from '../../harness/plan/credentials.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { Problems } from '../../harness/plan/problems.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { MOBILE_APP, serviceJwt, VALID_APP, WRONG_SECRET } from './sets.ts';

/**
 * Each lifecycle check catches the misbehaving gateway's fault it is for, with the right named
 * result, while the reference gateway beside it (same backend, same auth service) passes: drops every
 * session on reload; cuts idle sessions after 2 s; keeps sessions after revocation and expiry (a
 * failure or a finding, as the scenario says); fails open when the auth service is slow under load.
 */

const FILE = fileURLToPath(new URL('./lifecycle.yaml', import.meta.url));
let fx: RunningFixtures;
const bad = () => fx.gateways.misbehaving as MisbehavingGateway;
let faults: Partial<GatewayFaults> = {};

before(async () => {
  // Sessions re-checked every 500 ms and a 300 ms auth timeout keep the checks short.
  fx = await startFixtures({ gateways: ['reference', 'misbehaving'], authTimeoutMs: 300, sessionRecheckMs: 500 });
});
after(() => fx?.stop());

/** What the run phase gives the checks for a fixture: reload, restart (faults kept), processes. */
function actions(name: 'reference' | 'misbehaving'): GatewayActions {
  return {
    describe: { reload: `${name} reload()`, restart: `${name} restart` },
    reload: () => fx.gateways[name]!.reload!(),
    restart: async () => {
      await fx.restart(name);
      if (name === 'misbehaving') bad().setFaults(faults);
    },
    processIds: () => fx.gateways[name]!.processIds!(),
  };
}

async function lifecycle(block: string): Promise<LifecycleResult> {
  const s = parseScenario(
    `name: misbehaving-lifecycle
targets:
  - { name: reference, url: "${fx.urls['gateway.reference']}/echo" }
  - { name: misbehaving, url: "${fx.urls['gateway.misbehaving']}/echo" }
authService: { control: "${fx.urls['auth.control']}" }
credentials:
${VALID_APP}
${MOBILE_APP}
${WRONG_SECRET}
${serviceJwt('${file:../../fixtures/keys/jwt-private.pem}')}
lifecycle:
  authStats: "${fx.urls['auth.stats']}"
  saturation: warn
${block}`,
    FILE,
  );
  const plan = await buildPlan(s, fx.urls);
  const lp = plan.lifecycle!;
  const expiring = lp.credentials?.expiring;
  const run = await runLifecycle(lp, {
    actions: { reference: actions('reference'), misbehaving: actions('misbehaving') },
    lever: authLeverFor(s.doc, fx.urls),
    ...(expiring
      ? {
          mintExpiring: async () =>
            planCredential(
              s,
              expiring.index,
              (await jwtKeys(s, new Problems(s))).get(expiring.index),
              expiring.lifetimeMs,
            ),
        }
      : {}),
    signal: new AbortController().signal,
  });
  return run.result;
}

const result = (r: LifecycleResult, check: LifecycleCheckResult['check'], target: string) => {
  const c = r.checks.find((x) => x.check === check && x.target === target);
  assert.ok(c, `a ${check} result for ${target}`);
  return c;
};

test('idle cut after 2 s: silent ones fail idle, with when and how; pinging ones and the reference live', async () => {
  faults = { idleTimeoutMs: 2000 };
  bad().setFaults(faults);
  const r = await lifecycle('  idle: { connections: 3, pingEvery: 500ms, max: 3500ms, mustSurvive: 3s }');
  const ref = result(r, 'idle', 'reference');
  assert.equal(ref.status, 'passed', ref.reasons.join('; '));
  const c = result(r, 'idle', 'misbehaving');
  assert.equal(c.status, 'failed');
  assert.ok(c.check === 'idle');
  const [silent, ping] = c.groups;
  assert.equal(silent?.droppedBefore, 3);
  assert.deepEqual(silent?.ends.codes, { 1006: 3 }, 'cut without a close frame');
  assert.ok(silent!.ends.firstMs! >= 1900 && silent!.ends.lastMs! < 3000, JSON.stringify(silent?.ends));
  assert.equal(ping?.survived, 3, 'pings keep the pinging ones alive');
  assert.ok((ping?.pongs ?? 0) >= 3, 'pings were answered');
  assert.match(c.reasons.join(), /silent: 3 of 3 cut before 3 s \(after 2\.\d(–2\.\d)? s, no close frame/);
});

test('drops on reload, keeps revoked and expired sessions, fails open under slow auth: each caught', async () => {
  faults = { dropOnReload: true, keepAfterRevocation: true, failOpenOnTimeout: true };
  bad().setFaults(faults);
  const r = await lifecycle(`  reload: { connections: 20, arrivalRate: 10, at: 1s, observe: 1500ms }
  restart: { connections: 40, reconnect: { policy: fixed, delay: 50ms }, within: 10s }
  credentials:
    expiring: service-jwt
    expiresIn: 2s
    revoke: mobile-app
    revokeAfter: 500ms
    observe: 2s
    outlives: fail
  authPressure: { ladder: [100ms, 600ms], step: 1s, rate: 20, denied: wrong-secret }`);
  for (const check of ['reload', 'restart', 'credential-expiry', 'credential-revocation', 'auth-pressure'] as const) {
    const ref = result(r, check, 'reference');
    assert.equal(ref.status, 'passed', `reference ${check}: ${ref.reasons.join('; ')}`);
  }

  const reload = result(r, 'reload', 'misbehaving');
  assert.ok(reload.check === 'reload');
  assert.equal(reload.status, 'failed');
  assert.equal(reload.dropped, 20);
  assert.deepEqual(reload.dropCodes, { 1006: 20 });
  assert.match(reload.reasons.join(), /20 of 20 held sessions dropped \(1006 × 20; 20 in second \+\d of the reload\)/);

  const restart = result(r, 'restart', 'misbehaving');
  assert.equal(restart.status, 'passed', 'a restart storm it comes back from is no fault of its');

  for (const check of ['credential-expiry', 'credential-revocation'] as const) {
    const c = result(r, check, 'misbehaving');
    assert.ok(c.check === check);
    assert.equal(c.status, 'failed', `${check}: outlives: fail`);
    assert.equal(c.outlived, 2);
    assert.ok((c.trafficAfterMs ?? 0) > 1500, `traffic still flowed ${c.trafficAfterMs} ms after`);
    assert.equal(c.reconnect?.outcome, 'http_401', 'a new upgrade is still refused');
    assert.match(c.reasons.join(), /2 of 2 sessions still open \d\.\d s after/);
    const ref = result(r, check, 'reference');
    assert.ok(ref.check === check && ref.ended.count === 2 && ref.ended.codes['1008'] === 2, JSON.stringify(ref));
  }

  const pressure = result(r, 'auth-pressure', 'misbehaving');
  assert.ok(pressure.check === 'auth-pressure');
  assert.equal(pressure.status, 'failed');
  assert.ok(pressure.failOpen > 0);
  const slow = pressure.steps.find((s) => s.delayMs === 600)!;
  assert.ok((slow.denied?.outcomes.upgraded ?? 0) > 0, 'the denied set got in while the auth service was slow');
  assert.ok(slow.unwaited > 0, 'and the allowed one did not wait for the auth answer');
  assert.match(pressure.reasons.join(), /fail-open with the auth service at 600 ms: \d+ upgrades of the denied set/);
  const refPressure = result(r, 'auth-pressure', 'reference');
  assert.ok(refPressure.check === 'auth-pressure');
  assert.equal(refPressure.failsClosedAtMs, 600);
  assert.deepEqual(Object.keys(refPressure.failsClosedWith), ['http_500']);
  assert.equal(refPressure.unwaited, 0, 'the reference gateway (no cache) waits for every answer');
});

test('a session outliving its revoked credential is a finding when the scenario says so', async () => {
  faults = { keepAfterRevocation: true };
  bad().setFaults(faults);
  const r = await lifecycle(`  targets: [misbehaving]
  credentials: { revoke: mobile-app, revokeAfter: 300ms, observe: 1500ms, connections: 1 }`);
  const c = result(r, 'credential-revocation', 'misbehaving');
  assert.equal(c.status, 'finding');
  assert.match(c.reasons.join(), /1 of 1 sessions still open 1\.\d s after it was revoked/);
  assert.equal(r.failed, 0);
  assert.equal(r.findings, 1);
});
