import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
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
  // Mutual TLS with RSA-2048 keys takes two signatures and their checks: well over 0.2 ms of real work, and
  // it sits between the TCP connect and the status line, never outside them.
  const { connectMs, tlsMs, statusMs } = e.timings;
  assert.ok(tlsMs !== undefined && tlsMs >= 0.2, JSON.stringify(e.timings));
  assert.ok(connectMs! + tlsMs <= statusMs!, JSON.stringify(e.timings));
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

test('the TLS material is the dev-only set generate.sh makes: a CA, its server and client certificates, valid', () => {
  const cert = (name: string) => new X509Certificate(readFileSync(`${TLS_DIR}${name}.pem`));
  const key = (name: string) => createPrivateKey(readFileSync(`${TLS_DIR}${name}-key.pem`));
  const [ca, server, client] = [cert('ca'), cert('server'), cert('client')];
  assert.equal(ca.subject, 'CN=wsgate test CA');
  assert.equal(ca.ca, true, 'the CA certificate may sign');
  assert.ok(ca.checkIssued(ca) && ca.verify(ca.publicKey), 'the CA is self-signed');
  for (const [name, c] of [
    ['server', server],
    ['client', client],
  ] as const) {
    assert.equal(c.ca, false, `${name} is not a CA`);
    assert.ok(c.checkIssued(ca) && c.verify(ca.publicKey), `${name} is signed by the test CA`);
    assert.ok(c.checkPrivateKey(key(name)), `${name}-key.pem is the key of ${name}.pem`);
  }
  assert.ok(ca.checkPrivateKey(key('ca')), 'ca-key.pem is the key of ca.pem');
  // What the tests connect to: 127.0.0.1, localhost and ::1, as a TLS server; the client cert for mutual TLS.
  assert.equal(server.subjectAltName, 'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1');
  assert.ok(server.checkHost('localhost') && server.checkIP('127.0.0.1') && server.checkIP('::1'));
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth');
  assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'clientAuth');
  // Valid now and for a year yet, so the wss tests do not start failing on a date.
  const yearAhead = Date.now() + 365 * 24 * 3600 * 1000;
  for (const c of [ca, server, client]) {
    assert.ok(Date.parse(c.validFrom) <= Date.now(), `${c.subject} valid from ${c.validFrom}`);
    assert.ok(Date.parse(c.validTo) > yearAhead, `${c.subject} expires ${c.validTo}: run fixtures/tls/generate.sh`);
  }
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
  // Each TLS handshake is real work (over 0.2 ms) and a part of its upgrade, timed from the scheduled start.
  assert.ok(
    phases.tls!.p50 >= 0.2 && phases.tls!.p50 <= phases.upgrade!.p50,
    `tls p50 ${phases.tls!.p50} ms, upgrade p50 ${phases.upgrade?.p50} ms`,
  );
  // On a busy machine some held upgrades end after the hold window: they must still be held.
  assert.equal(r.held?.opened, 20, 'every planned connection is held, however late its upgrade');
  assert.equal(phases.firstRtt?.count, 20, 'held connections echo over TLS');
  assert.equal(r.held?.dropped, 0);
});
