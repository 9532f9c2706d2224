import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { parseDocument, stringify } from 'yaml';
import type { CheckResult } from '../../harness/model/conformance.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { runCli } from '../helpers/cli.ts';
import { GATEWAYS, type Gateway, gatewayAvailability } from '../helpers/gateways.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-gateways-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { unavailable, present } = gatewayAvailability();

/**
 * scenarios/compare-gateways.yaml as committed when every gateway is here (always in CI); elsewhere a
 * copy without what names a missing gateway: its targets, its baseline, its overhead pair, its place
 * in the fixtures' and the comparison's lists.
 */
function compareScenario(): string {
  const committed = join(ROOT, 'scenarios/compare-gateways.yaml');
  const missing = GATEWAYS.filter((gw) => unavailable[gw]);
  if (missing.length === 0) return committed;
  const gone = (v: unknown) =>
    typeof v === 'string' &&
    missing.some((gw) => v === gw || v === `${gw}-baseline` || v.includes(`{fixture:gateway.${gw}`));
  const names = (v: unknown) => gone(v) || (typeof v === 'object' && v !== null && Object.values(v).some(gone));
  const prune = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.filter((x) => !names(x)).map(prune)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, prune(x)]))
        : v;
  const doc = prune(parseDocument(readFileSync(committed, 'utf8')).toJS()) as { compare?: { targets: string[] } };
  // A comparison needs two gateways; `check` does not run it anyway.
  if (doc.compare && doc.compare.targets.length < 2) delete doc.compare;
  const file = join(dir, 'compare-gateways.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

let summary: Summary;
let checks: CheckResult[];
let code: number | null;
before(async () => {
  const res = await runCli(['check', compareScenario(), '--out', join(dir, 'run')], { timeoutMs: 120_000 });
  code = res.code;
  const file = join(dir, 'run', 'summary.json');
  assert.ok(existsSync(file), `wsgate check wrote no summary (exit ${res.code}):\n${res.stderr}`);
  summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  checks = summary.conformance!.checks;
});

const seen = (target: string, set: string) => checks.find((c) => c.target === target && c.credential === set)?.seen;

/** One subtest per gateway, skipped (with the reason) only where that gateway is missing. */
async function perGateway(
  t: TestContext,
  gateways: readonly Gateway[],
  fn: (gw: Gateway) => void | Promise<void>,
): Promise<void> {
  for (const gw of gateways) await t.test(gw, { skip: unavailable[gw] }, () => fn(gw));
}

test('the compare scenario passes conformance on every gateway: seven checks each', async (t) => {
  assert.equal(code, 0, summary.verdict.failures.join('\n'));
  assert.deepEqual([...new Set(checks.map((c) => c.target))], present);
  await perGateway(t, GATEWAYS, (gw) => {
    const mine = checks.filter((c) => c.target === gw);
    assert.equal(mine.length, 7, `${gw}: ${mine.map((c) => c.credential).join(', ')}`);
    assert.deepEqual(
      mine.filter((c) => c.status !== 'passed').map((c) => c.credential),
      [],
    );
  });
});

test('each gateway upgrades the valid app and passes 401 through for a wrong secret and an unknown id', async (t) => {
  await perGateway(t, GATEWAYS, (gw) => {
    assert.equal(seen(gw, 'valid-app'), 'upgraded', gw);
    assert.equal(seen(gw, 'wrong-secret'), 'http_401', gw);
    assert.equal(seen(gw, 'unknown-client-id'), 'http_401', gw);
  });
});

test('nginx turns an auth 400 into 500 (auth_request passes only 401/403); the others pass 400 through', async (t) => {
  await perGateway(t, GATEWAYS, (gw) =>
    assert.equal(seen(gw, 'missing-client-id'), gw === 'nginx' ? 'http_500' : 'http_400', gw),
  );
});

test('every gateway fails closed on auth error, auth down and auth timeout (Caddy with 502/504)', async (t) => {
  const caddy: Record<string, string> = { 'auth-error': 'http_500', 'auth-down': 'http_502', 'auth-slow': 'http_504' };
  await perGateway(t, GATEWAYS, (gw) => {
    for (const set of ['auth-error', 'auth-down', 'auth-slow'])
      assert.equal(seen(gw, set), gw === 'caddy' ? caddy[set] : 'http_500', `${gw} ${set}`);
  });
});

test('no denied attempt reaches the backend, and no gateway forwards the client secret or Authorization', async (t) => {
  await perGateway(t, GATEWAYS, (gw) => {
    const mine = checks.filter((c) => c.target === gw);
    assert.equal(mine.length, 7, gw);
    for (const c of mine) {
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
});

test('each baseline route reaches the backend without the auth service (it works while auth is down)', async (t) => {
  const { startFixtures } = await import('../../fixtures/index.ts');
  const { attemptWithEvidence } = await import('../../harness/client/evidence-client.ts');
  const { loopbackTarget, bareCredential } = await import('../helpers/plan-stubs.ts');
  const fx = await startFixtures({ gateways: [...present] });
  t.after(() => fx.stop());
  await fx.auth.setState({ state: 'down' });
  await perGateway(t, GATEWAYS, async (gw) => {
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
  });
});
