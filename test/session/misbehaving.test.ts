import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import { type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import {
  type GatewayFaults,
  type MisbehavingGateway,
  NO_FAULTS,
} from '../../fixtures/node-gateway/misbehaving-gateway.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { runCli } from '../helpers/cli.ts';

const app = FIXTURE_CREDENTIALS.validApp;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-session-faults-'));
let fx: RunningFixtures;
/** A backend that refuses permessage-deflate, for the one switch that needs it. */
let plain: RunningFixtures;
before(async () => {
  fx = await startFixtures({ gateways: ['reference', 'misbehaving'], http2: true });
  plain = await startFixtures({ gateways: ['reference', 'misbehaving'], backend: { perMessageDeflate: false } });
});
after(async () => {
  await fx.stop();
  await plain.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The reference gateway and the misbehaving one side by side, every session check, HTTP/2 where served. */
function scenarioFor(f: RunningFixtures): string {
  const u = f.urls;
  const h2 = (name: string) =>
    u[`gateway.${name}.h2`] ? `\n    session: { http2: "${u[`gateway.${name}.h2`]}" }` : '';
  return `name: session-faults
targets:
  - name: reference
    url: ${u['gateway.reference']}/echo
    backend: { record: "${u['backend.record']}" }${h2('reference')}
  - name: misbehaving
    url: ${u['gateway.misbehaving']}/echo
    backend: { record: "${u['backend.record']}" }${h2('misbehaving')}
authService:
  control: ${u['auth.control']}
  requests: ${u['auth.requests']}
credentials:
  - name: valid-app
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }
  - name: wrong-secret
    expect: 401
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: sk-not-the-right-one }
session:
  forwarded: require
  origin: https://app.example.test
`;
}

/** `wsgate run` with the misbehaving gateway's faults set: its exit code, output and summary. */
async function runWith(f: RunningFixtures, faults: Partial<GatewayFaults>, name: string) {
  const bad = f.gateways.misbehaving as MisbehavingGateway;
  bad.setFaults({ ...NO_FAULTS, ...faults });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, scenarioFor(f));
  try {
    const res = await runCli(['run', file, '--out', join(dir, name)], { timeoutMs: 60_000 });
    const summary = JSON.parse(readFileSync(join(dir, name, 'summary.json'), 'utf8')) as Summary;
    return { ...res, summary };
  } finally {
    bad.setFaults(NO_FAULTS);
  }
}

/** Every failed session check, as `target / set: id`. */
const failedChecks = (s: Summary) =>
  s.session!.results.flatMap((r) =>
    r.checks.filter((c) => c.verdict === 'fail').map((c) => `${r.target} / ${r.credential}: ${c.id}`),
  );

test('with no fault both gateways pass every session check, HTTP/2 included, and the run exits 0', async () => {
  const r = await runWith(fx, {}, 'none');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(failedChecks(r.summary), []);
  const http2 = r.summary.session!.results.filter((x) => x.http2);
  assert.equal(http2.length, 4, 'both sets over HTTP/2 on both gateways');
  assert.match(r.stdout, /session {6}\d+ passed, 0 failed, 0 not applicable/);
});

const SWITCHES: Array<{ faults: Partial<GatewayFaults>; check: string; set?: string; says: RegExp; plain?: true }> = [
  {
    faults: { truncateAboveBytes: 100_000 },
    check: 'messages.sizes',
    says: /largest intact 64 KiB; 256 KiB: came back cut to 100000 of 262144 bytes/,
  },
  { faults: { rewriteCloseCodes: true }, check: 'close.backend', says: /the client received close 1000/ },
  {
    faults: { dropSubprotocol: true },
    check: 'negotiation.subprotocol',
    says: /the backend chose subprotocol "wsgate\.v1" but the client was given no subprotocol/,
  },
  {
    faults: { acceptDeflateBackendRefused: true },
    check: 'negotiation.deflate',
    says: /the gateway agreed to permessage-deflate that the backend did not/,
    plain: true,
  },
  {
    faults: { forwardHopByHopToAuth: true },
    check: 'auth.hop-by-hop',
    says: /forwarded the client's handshake headers to the auth service: .*upgrade/,
  },
  {
    faults: { http2WithoutAuth: true },
    check: 'http2.verdict',
    set: 'wrong-secret',
    says: /over HTTP\/2 the set got HTTP\/2 200.*where HTTP\/1\.1 must get HTTP 401.*skips the auth check/,
  },
];

for (const sw of SWITCHES) {
  const name = Object.keys(sw.faults)[0]!;
  test(`misbehaving ${name}: wsgate run exits 1 naming ${sw.check}; the reference gateway passes`, async () => {
    const r = await runWith(sw.plain ? plain : fx, sw.faults, name);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const set = sw.set ?? 'valid-app';
    assert.deepEqual(failedChecks(r.summary), [`misbehaving / ${set}: ${sw.check}`], 'that check and no other');
    const line = r.summary.verdict.failures.find((f) => f.startsWith(`session misbehaving / ${set}: ${sw.check}:`));
    assert.ok(line, r.summary.verdict.failures.join('\n'));
    assert.match(line, sw.says);
    assert.match(r.stdout, new RegExp(`✗ session misbehaving / ${set}: ${sw.check.replace('.', '\\.')}:`));
    assert.match(
      readFileSync(join(dir, name, 'junit.xml'), 'utf8'),
      new RegExp(`<failure message="misbehaving / ${set}: ${sw.check.replace('.', '\\.')}`),
    );
  });
}
