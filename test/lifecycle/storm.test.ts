import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFixtures } from '../../fixtures/index.ts';
import { authLeverFor } from '../../harness/client/auth-lever.ts';
import { runLifecycle } from '../../harness/lifecycle/lifecycle.ts';
import type { RestartCheck } from '../../harness/model/lifecycle.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { VALID_APP } from './sets.ts';

/**
 * The reconnect storm after the backend closes every session, through the reference gateway with
 * and without its allow cache: the auth service's own counters show what the cache spares it.
 */
async function storm(authCacheMs: number): Promise<RestartCheck> {
  const fx = await startFixtures({ authCacheMs });
  try {
    const s = parseScenario(
      `name: storm
targets: [{ name: reference, url: "${fx.urls.gateway}/echo" }]
credentials:
${VALID_APP}
lifecycle:
  authStats: "${fx.urls['auth.stats']}"
  restart:
    connections: 100
    rampUp: 500ms
    cause: backend-close
    reconnect: { policy: exponential, delay: 50ms, maxDelay: 400ms, jitter: 0.5 }
    within: 10s
`,
      'storm.yaml',
    );
    const plan = await buildPlan(s, fx.urls);
    const run = await runLifecycle(plan.lifecycle!, {
      actions: {},
      lever: authLeverFor(s.doc, fx.urls),
      signal: new AbortController().signal,
    });
    const c = run.result.checks[0]!;
    assert.ok(c.check === 'restart');
    return c;
  } finally {
    await fx.stop();
  }
}

test('a reconnect storm: every session back, and the auth cache spares the auth service the storm', async () => {
  const without = await storm(0);
  const cached = await storm(10_000);
  for (const c of [without, cached]) {
    assert.equal(c.status, 'passed', c.reasons.join('; '));
    assert.deepEqual([c.dropped, c.back, c.notBack], [100, 100, 0]);
    assert.ok(c.back100Ms !== undefined && c.back99Ms! <= c.back100Ms, JSON.stringify(c));
    assert.equal(c.action, 'the echo backend closes every session (1012)');
    assert.ok(c.auth, 'the auth service counters were read');
    assert.ok(c.timeline?.marks.some((m) => m.label === 'all back'));
  }
  // Without a cache every reconnect asks the auth service; with one, the first allow serves them all.
  assert.ok(without.auth!.requests >= 100, `no cache: ${without.auth!.requests} auth requests`);
  assert.ok(cached.auth!.requests <= 5, `cache: ${cached.auth!.requests} auth requests`);
  assert.ok(without.auth!.peakPerSecond > cached.auth!.peakPerSecond);
});
