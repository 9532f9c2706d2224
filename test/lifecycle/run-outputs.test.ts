import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Summary } from '../../harness/model/summary.ts';
import { readScenario } from '../../harness/scenario/read.ts';
import { chromium, inBrowser } from '../helpers/browser.ts';
import { runCli, WSGATE } from '../helpers/cli.ts';
import { MOBILE_APP, serviceJwt, VALID_APP, WRONG_SECRET } from './sets.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-lifecycle-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const KEY = fileURLToPath(new URL('../../fixtures/keys/jwt-private.pem', import.meta.url));

const SCENARIO = `name: lifecycle-outputs
fixtures: { sessionRecheck: 500ms, authTimeout: 400ms }
targets: [{ name: reference, url: "\${fixture:gateway}/echo" }]
authService: { control: "\${fixture:auth.control}" }
credentials:
${VALID_APP}
${MOBILE_APP}
${WRONG_SECRET}
${serviceJwt(`\${file:${KEY}}`)}
lifecycle:
  idle: { connections: 2, pingEvery: 500ms, max: 1500ms }
  reload: { connections: 20, arrivalRate: 10, at: 1s, observe: 1s }
  restart: { connections: 50, rampUp: 500ms, reconnect: { policy: fixed, delay: 50ms }, within: 10s }
  credentials:
    expiring: service-jwt
    expiresIn: 2s
    revoke: mobile-app
    revokeAfter: 300ms
    observe: 1500ms
    outlives: fail
  authPressure: { ladder: [100ms, 800ms], step: 1s, rate: 10 }
  saturation: warn
thresholds:
  - idle.dropped_before == 0
  - reload.dropped == 0
  - reload.failed_upgrades == 0
  - restart.not_back == 0
  - credentials.reconnect_allowed == 0
  - auth_pressure.fail_open == 0
`;

test('every lifecycle check in summary.json, junit.xml, summary.md and the HTML, no secret anywhere', async () => {
  const file = join(dir, 'lifecycle.yaml');
  writeFileSync(file, SCENARIO);
  const out = join(dir, 'run');
  const res = await runCli(['run', file, '--out', out], { timeoutMs: 120_000 });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /lifecycle {4}6 passed, 0 failed, 0 findings, 0 not run/);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.deepEqual(
    s.lifecycle?.checks.map((c) => `${c.check} ${c.target} ${c.status} ${c.gateway}`),
    ['idle', 'reload', 'restart', 'credential-expiry', 'credential-revocation', 'auth-pressure'].map(
      (c) => `${c} reference passed reference`,
    ),
  );
  for (const m of ['idle.dropped_before', 'reload.dropped', 'restart.back_100', 'credentials.outlived'] as const)
    assert.equal(typeof s.metrics[m], 'number', `${m} measured`);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="lifecycle" tests="6"/);
  assert.match(junit, /classname="lifecycle.reference" name="restart: every lost session/);
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(md, /### Lifecycle: 6 passed, 0 failed, 0 findings, 0 not run/);
  assert.match(md, /\| reference \| reference \(default\) \| `credential-revocation` \|/);

  // Secrets: the scenario's own, the revoked client id among them, and the tokens minted during the run.
  const secrets = readScenario(file).secrets.all();
  assert.ok(secrets.includes('b7e3d2aa-orders-mobile'), 'the revoked client id is a credential value');
  for (const name of readdirSync(out)) {
    const text = readFileSync(join(out, name), 'utf8');
    for (const secret of secrets) assert.ok(!text.includes(secret), `${name} holds a secret`);
    assert.doesNotMatch(text, /eyJ[\w-]{10,}\.[\w-]{10,}/, `${name} holds a JWT`);
  }
  assert.doesNotMatch(res.stdout + res.stderr, /b7e3d2aa-orders-mobile|eyJ[\w-]{10,}\./, 'the console masks them too');

  if (!chromium.ok) return;
  await inBrowser(join(out, 'index.html'), 'lifecycle.png', async (page) => {
    const rows = await page.$$eval('#lifecycle tr', (trs) => trs.length);
    assert.equal(rows, 7, 'a header and one row per check');
    assert.equal(await page.$$eval('[id^="lifecycle-chart-"] canvas', (c) => c.length), 6, 'a timeline per check');
    assert.match((await page.textContent('#lifecycle-restart')) ?? '', /50 of 50/);
  });
});

test('Ctrl-C during the lifecycle checks writes a partial report with what they saw (exit 3)', async () => {
  const file = join(dir, 'interrupted.yaml');
  writeFileSync(
    file,
    SCENARIO.replace('idle: { connections: 2, pingEvery: 500ms, max: 1500ms }', 'idle: { connections: 2, max: 30s }'),
  );
  const out = join(dir, 'interrupted');
  const child = spawn(process.execPath, [WSGATE, 'run', file, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const started = new Promise<void>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('lifecycle: idle')) resolve();
    }),
  );
  const code = new Promise<number | null>((resolve) => child.once('close', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await started;
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  assert.equal(await code, 3, stderr);
  clearTimeout(killer);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.equal(s.partial, true);
  assert.equal(s.lifecycle?.partial, true);
  const idle = s.lifecycle?.checks.find((c) => c.check === 'idle');
  assert.ok(idle?.check === 'idle' && idle.groups[0]?.opened === 2, 'the idle check kept what it saw');
  assert.ok(
    s.lifecycle?.checks.filter((c) => c.check !== 'idle').every((c) => c.status === 'not_run'),
    'later checks did not run',
  );
});
