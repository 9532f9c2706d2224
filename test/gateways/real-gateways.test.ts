import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResult } from '../../harness/model/conformance.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { runCli } from '../helpers/cli.ts';
import { ensureDebianPackage } from '../helpers/debian.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-gateways-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const missing = ['nginx', 'caddy', 'haproxy'].map((p) => ensureDebianPackage(p)).filter((f) => !f.ok);
const skip =
  missing.length > 0 ? `real gateways unavailable: ${missing.map((f) => (f.ok ? '' : f.reason)).join('; ')}` : false;

let summary: Summary;
let checks: CheckResult[];
let code: number | null;
before(async () => {
  if (skip) return;
  const res = await runCli(['check', join(ROOT, 'scenarios/compare-gateways.yaml'), '--out', join(dir, 'run')], {
    timeoutMs: 120_000,
  });
  code = res.code;
  summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')) as Summary;
  checks = summary.conformance!.checks;
});

const seen = (target: string, set: string) => checks.find((c) => c.target === target && c.credential === set)?.seen;

test('the compare scenario passes conformance on all four gateways', { skip }, () => {
  assert.equal(code, 0, summary.verdict.failures.join('\n'));
  assert.deepEqual([...new Set(checks.map((c) => c.target))], ['reference', 'nginx', 'caddy', 'haproxy']);
  assert.equal(checks.length, 28);
});

test('each gateway upgrades the valid app and passes 401 through for a wrong secret and an unknown id', {
  skip,
}, () => {
  for (const gw of ['reference', 'nginx', 'caddy', 'haproxy']) {
    assert.equal(seen(gw, 'valid-app'), 'upgraded', gw);
    assert.equal(seen(gw, 'wrong-secret'), 'http_401', gw);
    assert.equal(seen(gw, 'unknown-client-id'), 'http_401', gw);
  }
});

test('nginx turns an auth 400 into 500 (auth_request passes only 401/403); the others pass 400 through', {
  skip,
}, () => {
  assert.equal(seen('nginx', 'missing-client-id'), 'http_500');
  for (const gw of ['reference', 'caddy', 'haproxy']) assert.equal(seen(gw, 'missing-client-id'), 'http_400', gw);
});

test('every gateway fails closed on auth error, auth down and auth timeout (Caddy with 502/504)', { skip }, () => {
  for (const gw of ['reference', 'nginx', 'haproxy']) {
    for (const set of ['auth-error', 'auth-down', 'auth-slow']) assert.equal(seen(gw, set), 'http_500', `${gw} ${set}`);
  }
  assert.equal(seen('caddy', 'auth-error'), 'http_500');
  assert.equal(seen('caddy', 'auth-down'), 'http_502');
  assert.equal(seen('caddy', 'auth-slow'), 'http_504');
});

test('no denied attempt reaches the backend, and no gateway forwards the client secret or Authorization', {
  skip,
}, () => {
  for (const c of checks) {
    assert.equal(c.backend.checked, true, `${c.target}/${c.credential} backend record read`);
    assert.equal(
      c.backend.reached,
      c.verdict === 200,
      `${c.target}/${c.credential} reached the backend: ${c.backend.reached}`,
    );
    if (c.verdict === 200) {
      const headers = Object.keys(c.backend.forwardedHeaders ?? {});
      assert.ok(
        !headers.includes('x-ibm-client-secret') && !headers.includes('authorization'),
        `${c.target} forwarded ${headers.join(', ')}`,
      );
      assert.ok(headers.includes('x-authenticated-identity'), `${c.target} adds the identity header`);
    }
  }
});

test('each baseline route reaches the backend without asking the auth service (it works while auth is down)', {
  skip,
}, async (t) => {
  const { startFixtures } = await import('../../fixtures/index.ts');
  const { attemptWithEvidence } = await import('../../harness/client/evidence-client.ts');
  const { loopbackTarget, bareCredential } = await import('../helpers/plan-stubs.ts');
  const fx = await startFixtures({ gateways: ['reference', 'nginx', 'caddy', 'haproxy'] });
  t.after(() => fx.stop());
  await fx.auth.setState({ state: 'down' });
  for (const gw of ['reference', 'nginx', 'caddy', 'haproxy']) {
    const base = new URL(fx.urls[`gateway.${gw}.baseline`]!);
    const target = loopbackTarget(Number(base.port), { path: '/baseline/echo' });
    const e = await attemptWithEvidence(target, bareCredential(), {
      attemptId: `baseline-${gw}`,
      echo: 'hi',
      echoTimeoutMs: 1000,
    });
    assert.equal(e.outcome, 'upgraded', `${gw} baseline: ${e.outcome}`);
    const authed = await attemptWithEvidence(loopbackTarget(Number(base.port), { path: '/echo' }), bareCredential(), {
      attemptId: `auth-${gw}`,
      echoTimeoutMs: 1000,
    });
    assert.notEqual(authed.outcome, 'upgraded', `${gw} authorized route upgraded while auth was down`);
  }
});
