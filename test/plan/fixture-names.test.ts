import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFixtures } from '../../fixtures/index.ts';
import { NODE_GATEWAY_VARIANTS } from '../../fixtures/node-gateway/gateway.ts';
import { CADDY_VARIANTS } from '../../fixtures/real-gateways/caddy.ts';
import { HAPROXY_VARIANTS } from '../../fixtures/real-gateways/haproxy.ts';
import { NGINX_VARIANTS } from '../../fixtures/real-gateways/nginx.ts';
import { FIXTURE_VARIANTS } from '../../harness/model/fixtures.ts';
import { fixtureNames } from '../../harness/plan/fixture-names.ts';
import { validateScenario } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';

test('the variants a scenario may name are the ones the fixtures know', () => {
  assert.deepEqual(FIXTURE_VARIANTS, {
    reference: [...NODE_GATEWAY_VARIANTS],
    nginx: [...NGINX_VARIANTS],
    caddy: [...CADDY_VARIANTS],
    haproxy: [...HAPROXY_VARIANTS],
  });
});

test('the ${fixture:} names known before the fixtures start are the URLs they then give', async () => {
  for (const http2 of [false, true]) {
    const running = await startFixtures({ http2 });
    try {
      assert.deepEqual([...fixtureNames({ http2 })].sort(), Object.keys(running.urls).sort(), `http2: ${http2}`);
    } finally {
      await running.stop();
    }
  }
});

test('a variant the gateway does not know, or for a gateway not started, is invalid at its line', async () => {
  const text = `name: v
fixtures:
  gateways: [reference]
  variants:
    reference: no-such-variant
    nginx: shipped
targets: [{ name: gw, url: "\${fixture:gateway}/echo" }]
credentials: [{ name: ok, expect: 200 }]
`;
  await assert.rejects(validateScenario(parseScenario(text, 'v.yaml')), (err: Error) => {
    assert.match(
      err.message,
      /v\.yaml:5:\d+: fixtures\.variants\.reference: reference has no variant "no-such-variant"/,
    );
    assert.match(err.message, /"no-such-variant" \(known: default, auth-cache\)/);
    assert.match(err.message, /v\.yaml:6:\d+: fixtures\.variants\.nginx: "nginx" is not a gateway this block starts/);
    return true;
  });
});
