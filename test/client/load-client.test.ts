import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttemptResult, prepareRequest, runAttempt } from '../../harness/client/load-client.ts';
import type { PlannedCredential, PlannedTarget } from '../../harness/plan/plan.ts';
import { KeyPool } from '../../harness/wire/accept.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';
import { OUTCOME_CASES, rfcAccept } from '../outcome/cases.ts';

const keys = new KeyPool(8);

/** One load-client attempt as a promise, bounded by its own timeouts (the client calls back exactly once). */
function attempt(
  target: PlannedTarget,
  cred: PlannedCredential = bareCredential(),
  keep = false,
): Promise<AttemptResult> {
  return new Promise((resolve) => runAttempt(prepareRequest(target, cred), keys, resolve, { keep }));
}

for (const c of OUTCOME_CASES) {
  test(`load client: ${c.name} is ${c.expected}`, async (t) => {
    const server = await c.start();
    t.after(() => server.close());
    const seen = [];
    for (let i = 0; i < (c.attempts ?? 1); i++) {
      const r = await attempt(loopbackTarget(server.port, c.target));
      seen.push(r.outcome);
      if (r.outcome === c.expected) break;
    }
    assert.equal(seen.at(-1), c.expected, `saw ${seen.join(', ')}`);
  });
}

test('load client: the times of an upgrade are in order, from the start to the complete head', async (t) => {
  const server = await rawServer((s, head) =>
    s.write(
      `HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: ` +
        `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`,
    ),
  );
  t.after(() => server.close());
  const r = await attempt(loopbackTarget(server.port));
  assert.equal(r.outcome, 'upgraded');
  const steps = [r.startedAt, r.connectedAt, r.sentAt, r.statusAt, r.headAt];
  for (let i = 1; i < steps.length; i++)
    assert.ok(steps[i] !== undefined && steps[i]! >= steps[i - 1]!, JSON.stringify(steps));
  assert.ok(r.headAt! - r.startedAt < 1000);
});

test(
  'load client: with keep, an upgraded socket is handed over with the frame bytes that ' + 'followed the head',
  async (t) => {
    const frame = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const server = await rawServer((s, head) => {
      const answer =
        `HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: ` +
        `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`;
      s.write(Buffer.concat([Buffer.from(answer, 'latin1'), frame]));
    });
    t.after(() => server.close());
    const r = await attempt(loopbackTarget(server.port), bareCredential(), true);
    assert.equal(r.outcome, 'upgraded');
    assert.ok(r.socket && !r.socket.destroyed);
    assert.deepEqual(r.rest, frame);
    r.socket.destroy();
  },
);

test('load client: the prepared request is the same bytes for the same key, with the credential headers', async (t) => {
  const heads: string[] = [];
  const server = await rawServer((s, h) => {
    heads.push(h);
    s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  t.after(() => server.close());
  const cred = bareCredential({ headers: [['X-IBM-Client-Id', 'app-2']], query: [['apikey', 'k-123456']] });
  const one = new KeyPool(1);
  const spec = prepareRequest(loopbackTarget(server.port), cred);
  for (let i = 0; i < 2; i++)
    assert.equal((await new Promise<AttemptResult>((resolve) => runAttempt(spec, one, resolve))).outcome, 'http_403');
  assert.equal(heads[0], heads[1]);
  assert.match(heads[0]!, /^GET \/echo\?apikey=k-123456 HTTP\/1\.1\r\n/);
  assert.match(heads[0]!, /\r\nX-IBM-Client-Id: app-2\r\n/);
});
