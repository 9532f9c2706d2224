import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult } from '../../harness/model/security.ts';
import { PROBE_IDS } from '../../harness/model/security.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { runSecurity } from '../../harness/security/suite.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';
import { rfcAccept } from '../outcome/cases.ts';

const SECRET = 'sk-wrong-secret-value';

/** A scenario against a raw loopback server: no backend record, no auth control. */
async function planFor(port: number, security = '{}') {
  const scenario = parseScenario(
    `name: raw
targets: [{ name: raw, url: "ws://127.0.0.1:${port}/echo", timeouts: { connect: 1s, handshake: 1s } }]
credentials:
  - { name: valid-app, expect: 200, headers: { X-IBM-Client-Id: app-1234, X-IBM-Client-Secret: sk-right-secret-value } }
  - { name: wrong-secret, expect: 401, headers: { X-IBM-Client-Id: app-1234, X-IBM-Client-Secret: ${SECRET} } }
security: ${security}
`,
    'raw.yaml',
  );
  return { plan: await buildPlan(scenario), scenario };
}

const byId = (probes: ProbeResult[]) => new Map(probes.map((p) => [p.probe, p]));

test(
  'a server that upgrades anything fails every bypass probe on every variant; probes that need what the ' +
    'scenario lacks say why they did not run',
  async (t) => {
    const yes = await rawServer((socket, head) => {
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: ` +
          `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`,
      );
    });
    t.after(() => yes.close());
    const { plan } = await planFor(yes.port);
    const r = byId((await runSecurity(plan)).probes);
    assert.equal(r.size, PROBE_IDS.length);
    for (const id of PROBE_IDS.filter((p) => p.startsWith('bypass.'))) {
      const p = r.get(id)!;
      assert.equal(p.status, 'failed', id);
      assert.ok(
        p.attempts.length > 0 &&
          p.attempts.every((a) => a.mustBeDenied && /the gateway let it in/.test(a.unsafe ?? '')),
        `${id}: every variant is unsafe`,
      );
      assert.ok(
        p.attempts.every((a) => a.reachedBackend === null),
        `${id}: no record, so the backend is not claimed either way`,
      );
      assert.match(p.seen, /backend not checked/);
    }
    // A 101 with a broken handshake (no key to answer) still opened the door.
    assert.ok(
      r
        .get('bypass.websocket-key')!
        .attempts.some((a) => a.outcome === 'protocol_error' && /answered 101/.test(a.unsafe!)),
    );
    assert.equal(r.get('caching.deny-after-allow')!.status, 'failed');
    for (const id of [
      'fail-closed.auth-error',
      'fail-closed.auth-hang',
      'fail-closed.auth-down',
      'fail-closed.auth-garbage',
    ] as const) {
      assert.equal(r.get(id)!.status, 'not_run');
      assert.match(r.get(id)!.reasons[0]!, /give authService\.control .* or authService\.hooks\./);
    }
    for (const id of ['leaks.denied-to-backend', 'leaks.secrets-forwarded'] as const) {
      assert.equal(r.get(id)!.status, 'not_run');
      assert.match(r.get(id)!.reasons[0]!, /no backend\.record/);
    }
  },
);

test('leaks.error-body fails when a denial echoes the secret that was sent, and passes when it does not', async (t) => {
  const deny = (echo: boolean) =>
    rawServer((socket, head) => {
      const body = echo ? `denied: ${head}` : '{"httpCode":"401","httpMessage":"Unauthorized"}';
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: ` +
          `text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  const [echoing, quiet] = await Promise.all([deny(true), deny(false)]);
  t.after(() => Promise.all([echoing.close(), quiet.close()]));
  for (const [server, status] of [
    [echoing, 'failed'],
    [quiet, 'passed'],
  ] as const) {
    const { plan, scenario } = await planFor(server.port, '{ probes: [leaks.error-body] }');
    const [p] = (await runSecurity(plan)).probes;
    assert.equal(p!.status, status);
    if (status === 'failed') {
      assert.match(
        p!.reasons[0]!,
        /^credential set wrong-secret: the response echoed a secret of wrong-secret in its body/,
      );
      // The evidence kept for the report holds the echo; the writer masks it like every other secret.
      assert.ok(scenario.secrets.has(SECRET) && p!.attempts[0]!.bodySnippet!.includes(SECRET));
    }
  }
});
