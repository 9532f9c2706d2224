import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { judged } from '../../harness/lifecycle/context.ts';
import { countBelow } from '../../harness/lifecycle/pressure.ts';
import { reconnectDelay } from '../../harness/lifecycle/reconnect.ts';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import { ScenarioError } from '../../harness/model/errors.ts';
import { fixtureDrainDeadlineMs } from '../../harness/model/fixtures.ts';
import type { ReconnectPolicy } from '../../harness/model/lifecycle.ts';
import { fixtureGatewayOf, revocationSubject } from '../../harness/plan/lifecycle.ts';
import { buildPlan, validateScenario } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { VALID_APP, WRONG_SECRET } from './sets.ts';

/** A scenario file beside this test, so ${file:} finds the fixtures' JWT key. */
const FILE = fileURLToPath(new URL('./lifecycle.yaml', import.meta.url));
const LIMITS = { openFiles: 20_000, ephemeralPorts: 28_232, cores: 2 };

const SETS = `credentials:
${VALID_APP}
${WRONG_SECRET}
  - name: service-jwt
    expect: 200
    jwt: { privateKey: "\${file:../../fixtures/keys/jwt-private.pem}", subject: orders-service, expiresIn: 5m }
  - { name: basic-user, expect: 200, basic: { username: alice.ops, password: wonderland-Rabbit-42 } }`;

function scenario(lifecycle: string, extra = '', fixtures = '{ gateways: [reference, nginx] }') {
  return parseScenario(
    `name: lc
fixtures: ${fixtures}
targets:
  - { name: reference, url: "\${fixture:gateway.reference}/echo" }
  - { name: nginx, url: "\${fixture:gateway.nginx}/echo" }
  - { name: own, url: "ws://127.0.0.1:9/echo" }
authService: { control: "\${fixture:auth.control}" }
${SETS}
lifecycle:
${lifecycle}
${extra}`,
    FILE,
  );
}

async function problems(lifecycle: string, extra = ''): Promise<string[]> {
  try {
    await validateScenario(scenario(lifecycle, extra), { limits: LIMITS });
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.problems.map((p) => `${p.field}: ${p.message}`);
  }
  return [];
}

test('an invalid lifecycle block is refused with every problem at its field, before anything runs', async () => {
  const found = await problems(
    `  targets: [reference, nowhere]
  credential: wrong-secret
  idle: { max: 2s, mustSurvive: 5s, tolerate: [ghost] }
  restart: { reconnect: { policy: fixed, delay: 2s, maxDelay: 1s } }
  credentials: { expiring: valid-app, revoke: wrong-secret, outlives: { ghost: fail } }
  authPressure: { ladder: [100ms], denied: valid-app }
  gatewayHooks: { ghost: { reload: "true" } }`,
    'thresholds: [idle.dropped_before == 0, reload.dropped == 0]',
  );
  const expect = [
    /lifecycle\.targets\[1\]: no gateway target is named "nowhere"/,
    /lifecycle\.credential: "wrong-secret" must be a set every lifecycle target upgrades/,
    /lifecycle\.idle\.mustSurvive: 5s is longer than the watch/,
    /lifecycle\.idle\.tolerate\[0\]: "ghost" is not a lifecycle target/,
    /lifecycle\.restart\.reconnect\.maxDelay: shorter than delay/,
    /lifecycle\.credentials\.expiring: "valid-app" has no jwt/,
    /lifecycle\.credentials\.revoke: "wrong-secret" must be a set/,
    /lifecycle\.credentials\.outlives\.ghost: "ghost" is not a lifecycle target/,
    /lifecycle\.authPressure\.denied: "valid-app" must be a set the auth service refuses/,
    /lifecycle\.gatewayHooks\.ghost: "ghost" is not a lifecycle target/,
    /thresholds\[1\]: nothing measures this metric: reload\.dropped is only measured with lifecycle\.reload/,
  ];
  for (const re of expect)
    assert.ok(
      found.some((p) => re.test(p)),
      `${re} in:\n${found.join('\n')}`,
    );
  assert.equal(found.length, expect.length, found.join('\n'));
});

test('a valid block resolves its defaults, each target its fixture gateway, variant and drain deadline', async () => {
  const s = scenario(
    `  idle: { max: 3s }
  reload: {}
  restart: { cause: backend-close }
  credentials: { expiring: service-jwt, expiresIn: 2s, revoke: basic-user, outlives: { reference: fail } }
  authPressure: { ladder: [100ms, 1s] }
  gatewayHooks: { own: { reload: "./reload.sh" } }`,
    '',
    '{ gateways: [reference, nginx], limits: { nginx: { drain: 2s } } }',
  );
  const urls = {
    'gateway.reference': 'ws://127.0.0.1:1',
    'gateway.nginx': 'ws://127.0.0.1:2',
    'auth.control': 'http://127.0.0.1:3/__wsgate/state',
    'auth.stats': 'http://127.0.0.1:3/__wsgate/stats',
  };
  const plan = await buildPlan(s, urls, { limits: LIMITS });
  const lp = plan.lifecycle!;
  assert.deepEqual(
    lp.targets.map((t) => [t.target.name, t.gateway, t.variant, t.drainDeadlineMs, t.hooks?.reload]),
    [
      ['reference', 'reference', 'default', undefined, undefined],
      ['nginx', 'nginx', 'shipped', 2000, undefined],
      ['own', undefined, undefined, undefined, './reload.sh'],
    ],
  );
  assert.equal(lp.credential.name, 'valid-app');
  assert.deepEqual(lp.idle, { connections: 3, pingEveryMs: 0, maxMs: 3000, tolerate: [] });
  assert.equal(lp.reload?.connections, 50);
  assert.deepEqual(lp.restart?.reconnect, {
    policy: 'exponential',
    delayMs: 100,
    maxDelayMs: 2000,
    jitter: 0.5,
    maxAttempts: 50,
  });
  assert.equal(lp.credentials?.expiring?.lifetimeMs, 2000);
  assert.equal(lp.credentials?.outlives('reference'), 'fail');
  assert.equal(lp.credentials?.outlives('nginx'), 'finding');
  assert.equal(lp.authPressure?.denied?.name, 'wrong-secret', 'the first set expecting 401 is the denied one');
  assert.equal(lp.authStatsUrl, 'http://127.0.0.1:3/__wsgate/stats', 'the fixtures auth stats, by default');
});

test('what a revocation revokes: the client id, the basic user or the JWT subject; nothing for a bare token', () => {
  assert.equal(revocationSubject({ name: 'a', expect: 200, headers: { 'x-ibm-client-id': 'id-1' } }), 'id-1');
  assert.equal(revocationSubject({ name: 'b', expect: 200, basic: { username: 'u', password: 'p' } }), 'u');
  assert.equal(revocationSubject({ name: 'c', expect: 200, jwt: { privateKey: 'k', subject: 'svc' } }), 'svc');
  assert.equal(revocationSubject({ name: 'd', expect: 200, bearer: 'opaque-token' }), undefined);
});

test('a target names its fixture gateway through its URL; baselines and own URLs name none', () => {
  assert.equal(fixtureGatewayOf('${fixture:gateway.haproxy}/echo', ['reference', 'haproxy']), 'haproxy');
  assert.equal(fixtureGatewayOf('${fixture:gateway}/echo', ['caddy', 'nginx']), 'caddy');
  assert.equal(fixtureGatewayOf('${fixture:gateway.nginx.baseline}/echo', ['nginx']), undefined);
  assert.equal(fixtureGatewayOf('ws://127.0.0.1:9/echo', ['nginx']), undefined);
  assert.equal(fixtureDrainDeadlineMs('nginx', 'shipped'), 10_000);
  assert.equal(fixtureDrainDeadlineMs('nginx', 'no-shutdown-timeout'), undefined);
  assert.equal(fixtureDrainDeadlineMs('haproxy', 'shipped'), undefined);
});

test('reconnect policies: immediate at once, fixed the delay, exponential doubling to the cap, jitter within ±', () => {
  const p = (policy: ReconnectPolicy['policy'], jitter = 0): ReconnectPolicy => ({
    policy,
    delayMs: 100,
    maxDelayMs: 1000,
    jitter,
    maxAttempts: 10,
  });
  const mid = () => 0.5;
  assert.equal(reconnectDelay(p('immediate'), 3, mid), 0);
  assert.deepEqual(
    [0, 1, 5].map((k) => reconnectDelay(p('fixed'), k, mid)),
    [100, 100, 100],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((k) => reconnectDelay(p('exponential'), k, mid)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.equal(
    reconnectDelay(p('fixed', 0.5), 0, () => 0),
    50,
  );
  assert.equal(
    reconnectDelay(p('fixed', 0.5), 0, () => 0.999999),
    149.9999,
  );
});

test('a failure on a tolerated target is a finding; findings alone make a finding; nothing wrong passes', () => {
  assert.deepEqual(judged('caddy', [], ['dropped 3']), { status: 'failed', reasons: ['dropped 3'] });
  assert.deepEqual(judged('caddy', ['caddy'], ['dropped 3']), {
    status: 'finding',
    reasons: ['dropped 3 (tolerated)'],
  });
  assert.deepEqual(judged('nginx', [], [], ['outlived']), { status: 'finding', reasons: ['outlived'] });
  assert.deepEqual(judged('nginx', [], []), { status: 'passed', reasons: [] });
});

test('countBelow: how many upgrades came faster than the auth service could answer', () => {
  const r = new LatencyRecorder();
  for (const ms of [300, 302, 305, 900, 950, 1000]) r.record(ms);
  const s = r.summary()!;
  r.destroy();
  assert.equal(countBelow(s, 500), 3);
  assert.equal(countBelow(s, 250), 0);
  assert.equal(countBelow(s, 2000), 6);
  assert.equal(countBelow(undefined, 100), 0);
});
