import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION_CHECK_IDS } from '../../harness/model/session.ts';
import { phasesFor } from '../../harness/plan/phases.ts';
import { buildPlan, validateScenario } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';

const BASE = `name: s
targets:
  - name: plain
    url: ws://127.0.0.1:9/echo
  - name: secure
    url: wss://127.0.0.1:9/echo
  - { name: base, url: "ws://127.0.0.1:9/baseline", baseline: true }
credentials:
  - name: app
    expect: 200
    subprotocols: [orders.v2]
  - name: denied
    expect: 401
  - name: outage
    expect: 200
    authService: down
`;

test('without a session: block every check runs on the sets expecting 200 with the auth service ok', async () => {
  const plan = await buildPlan(parseScenario(BASE, 's.yaml'));
  const s = plan.session!;
  assert.deepEqual(
    s.targets.map((t) => t.target),
    ['plain', 'secure'],
    'baselines get no session checks',
  );
  const plain = s.targets[0]!;
  assert.deepEqual(plain.run, SESSION_CHECK_IDS);
  assert.deepEqual(plain.sets, ['app']);
  assert.equal(plain.maxMessageBytes, 1024 * 1024);
  assert.equal(plain.fragments, 3);
  assert.equal(plain.timeoutMs, 2000);
  assert.equal(plain.forwarded, 'report');
  assert.equal(plain.hopByHopToAuth, 'fail');
  assert.equal(plain.http2.kind, 'off', 'a ws:// target has no ALPN to ask');
  assert.equal(s.targets[1]!.http2.kind, 'alpn', 'a wss:// target is asked for h2 by ALPN');
  assert.deepEqual(phasesFor('check', plan.scenario.doc), ['conformance', 'session']);
  assert.deepEqual(phasesFor('probe', plan.scenario.doc), ['security']);
});

test('session: false turns the phase off; a target overrides the block key by key, or leaves with false', async () => {
  const off = await buildPlan(parseScenario(`${BASE}session: false\n`, 's.yaml'));
  assert.equal(off.session, undefined);
  assert.deepEqual(phasesFor('run', off.scenario.doc), ['conformance']);
  const text = BASE.replace(
    '    url: wss://127.0.0.1:9/echo\n',
    '    url: wss://127.0.0.1:9/echo\n' +
      '    session: { checks: [close, messages.sizes], maxMessageBytes: 64KiB, http2: false }\n',
  ).replace('    url: ws://127.0.0.1:9/echo\n', '    url: ws://127.0.0.1:9/echo\n    session: false\n');
  const plan = await buildPlan(
    parseScenario(`${text}session: { skip: [close.backend-death], timeout: 500ms, forwarded: require }\n`, 's.yaml'),
  );
  assert.deepEqual(
    plan.session!.targets.map((t) => t.target),
    ['secure'],
  );
  const t = plan.session!.targets[0]!;
  assert.deepEqual(t.run, ['messages.sizes', 'close.client', 'close.backend']);
  assert.deepEqual(t.skipped, ['close.backend-death'], 'skip comes from the block, checks from the target');
  assert.equal(t.maxMessageBytes, 64 * 1024);
  assert.equal(t.timeoutMs, 500);
  assert.equal(t.forwarded, 'require');
  assert.deepEqual(t.http2, { kind: 'off', why: 'turned off by the scenario (session.http2: false)' });
});

test('every problem of a session block is reported at once, each at its file:line:col', async () => {
  const text = `${BASE}session:
  fragments: 1
  checks: [messages.everything]
  http2: ftp://127.0.0.1/
`;
  assert.throws(
    () => parseScenario(text, 's.yaml'),
    (err: Error) => {
      const m = err.message;
      assert.match(m, /s\.yaml:18:14: session\.fragments: expected integer to be greater or equal to 2/);
      assert.match(m, /s\.yaml:19:12: session\.checks\[0\]: got "messages\.everything", expected one of "handshake"/);
      assert.match(m, /s\.yaml:20:10: session\.http2: .*a ws:\/\/ URL for h2c/);
      return true;
    },
  );
  // Past the schema, the plan's own rules: which sets, how large, what the fixtures provide.
  const planned = `${BASE}session:
  sets: [app, denied, nobody, outage]
  maxMessageBytes: 32MiB
authService:
  requests: \${fixture:auth.requests}
`;
  await assert.rejects(validateScenario(parseScenario(planned, 's.yaml')), (err: Error) => {
    const m = err.message;
    assert.match(
      m,
      /s\.yaml:18:15: session\.sets\[1\]: "denied" expects 401; session checks need a set that expects 200/,
    );
    assert.match(
      m,
      /s\.yaml:18:23: session\.sets\[2\]: no credential set is named "nobody" \(known: app, denied, outage\)/,
    );
    assert.match(m, /s\.yaml:18:31: session\.sets\[3\]: "outage" expects 200, auth service down/);
    assert.match(m, /s\.yaml:19:20: session\.maxMessageBytes: 32 MiB is past what the size ladder tries/);
    assert.match(
      m,
      /s\.yaml:21:13: authService\.requests: uses \$\{fixture:…\} but the scenario does not start fixtures/,
    );
    return true;
  });
});
