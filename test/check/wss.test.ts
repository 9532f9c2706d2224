import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import { fixtureTls, type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import { attemptWithEvidence } from '../../harness/client/evidence-client.ts';
import { runLoad } from '../../harness/load/engine.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';

const TLS_DIR = new URL('../../fixtures/tls/', import.meta.url).pathname;
const app = FIXTURE_CREDENTIALS.validApp;
let fx: RunningFixtures;

before(async () => {
  fx = await startFixtures({ tls: fixtureTls(true) });
});
after(() => fx.stop());

/** Plan a one-target scenario with the given TLS block and credential extras, and probe it. */
async function attempt(tls: string, credExtra = '') {
  const loaded = parseScenario(
    `name: wss
targets:
  - name: tls-gw
    url: ${fx.urls.gateway}/echo
    tls: ${tls}
credentials:
  - name: valid
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }
${credExtra}`,
    `${TLS_DIR}scenario.yaml`,
  );
  const plan = await buildPlan(loaded);
  return attemptWithEvidence(plan.targets[0]!, plan.credentials[0]!, {
    attemptId: 'wss',
    echo: 'over-tls',
    echoTimeoutMs: 1000,
  });
}

test('wss with the CA and a client certificate (mutual TLS) upgrades, echoes and times the TLS handshake', async () => {
  assert.match(fx.urls.gateway!, /^wss:\/\//);
  const e = await attempt(
    '{ ca: "${file:ca.pem}" }',
    '    clientCert: { cert: "${file:client.pem}", key: "${file:client-key.pem}" }\n',
  );
  assert.equal(e.outcome, 'upgraded', e.problem);
  assert.deepEqual(e.echo, { ok: true });
  assert.ok((e.timings.tlsMs ?? 0) > 0);
});

test('the target-level client certificate is used when the set has none', async () => {
  const e = await attempt('{ ca: "${file:ca.pem}", cert: "${file:client.pem}", key: "${file:client-key.pem}" }');
  assert.equal(e.outcome, 'upgraded', e.problem);
});

test('wss without a client certificate to a mutual-TLS gateway is not an upgrade', async () => {
  const e = await attempt('{ ca: "${file:ca.pem}" }');
  assert.equal(e.outcome, 'tls_error', e.problem);
  assert.match(e.problem ?? '', /CERTIFICATE_REQUIRED|alert/i);
});

test('wss with an untrusted server certificate is a tls_error', async () => {
  const e = await attempt(
    '{ servername: localhost }',
    '    clientCert: { cert: "${file:client.pem}", key: "${file:client-key.pem}" }\n',
  );
  assert.equal(e.outcome, 'tls_error');
  assert.match(e.problem ?? '', /CERT|SELF_SIGNED|UNABLE/i);
});

test('the TLS material is the committed dev-only set', () => {
  assert.match(readFileSync(`${TLS_DIR}ca.pem`, 'utf8'), /BEGIN CERTIFICATE/);
});

test('load over wss with mutual TLS: every attempt upgrades and the TLS phase is timed per set', async () => {
  const loaded = parseScenario(
    `name: wss-load
targets:
  - name: tls-gw
    url: ${fx.urls.gateway}/echo
    tls: { ca: "\${file:ca.pem}", cert: "\${file:client.pem}", key: "\${file:client-key.pem}" }
credentials:
  - name: valid
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }
`,
    `${TLS_DIR}scenario.yaml`,
  );
  const plan = await buildPlan(loaded);
  const [target, cred] = [plan.targets[0]!, plan.credentials[0]!];
  const r = await runLoad({
    stages: [{ fromRate: 100, toRate: 100, durationMs: 1000 }],
    targets: [target],
    mix: [{ cred, weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: 500,
    hold: { count: 20, rampUpMs: 200, holdMs: 800, messageEveryMs: 200, messageBytes: 16, messageTimeoutMs: 1000 },
    sourceAddresses: [],
  });
  assert.deepEqual(r.outcomes, { upgraded: 120 });
  const phases = r.sets[0]!.timings!;
  assert.equal(phases.tls?.count, 120);
  assert.ok(phases.tls!.p50 > 0);
  // On a busy machine some held upgrades end after the hold window: they must still be held.
  assert.equal(r.held?.opened, 20, 'every planned connection is held, however late its upgrade');
  assert.equal(phases.firstEcho?.count, 20, 'held connections echo over TLS');
  assert.equal(r.held?.dropped, 0);
});
