import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptWithEvidence } from '../../harness/client/evidence-client.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';
import { OUTCOME_CASES, rfcAccept } from '../outcome/cases.ts';

const OPTS = { attemptId: 't', echoTimeoutMs: 500 };

for (const c of OUTCOME_CASES) {
  test(`evidence client: ${c.name} is ${c.expected}`, async (t) => {
    const server = await c.start();
    t.after(() => server.close());
    const seen = [];
    for (let i = 0; i < (c.attempts ?? 1); i++) {
      const e = await attemptWithEvidence(loopbackTarget(server.port, c.target), bareCredential(), OPTS);
      seen.push(e.outcome);
      if (e.outcome === c.expected) break;
    }
    assert.equal(seen.at(-1), c.expected, `saw ${seen.join(', ')}`);
  });
}

test('evidence client: a correct 101 with a working echo is upgraded, with every timing', async (t) => {
  const server = await rawServer((s, head) => {
    s.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: ` +
        `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`,
    );
    // Echo one masked client text frame back unmasked (payload < 126 bytes).
    s.once('data', (f: Buffer) => {
      const len = f[1]! & 0x7f;
      const mask = f.subarray(2, 6);
      const payload = Buffer.from(f.subarray(6, 6 + len).map((b, i) => b ^ mask[i & 3]!));
      s.write(Buffer.concat([Buffer.from([0x81, len]), payload]));
    });
  });
  t.after(() => server.close());
  const e = await attemptWithEvidence(loopbackTarget(server.port), bareCredential(), { ...OPTS, echo: 'ping-me' });
  assert.equal(e.outcome, 'upgraded');
  assert.deepEqual(e.echo, { ok: true });
  const { connectMs, statusMs, upgradeMs, echoMs } = e.timings;
  // Loopback with an idle server: every step within a second, and in order.
  for (const ms of [connectMs, statusMs, upgradeMs, echoMs])
    assert.ok(ms !== undefined && ms >= 0 && ms < 1000, JSON.stringify(e.timings));
  assert.ok(connectMs! <= statusMs! && statusMs! <= upgradeMs!, JSON.stringify(e.timings));
});

test('evidence client: an echo that comes back different is a failed echo on an upgraded attempt', async (t) => {
  const server = await rawServer((s, head) => {
    s.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: ` +
        `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`,
    );
    s.once('data', () => s.write(Buffer.from([0x81, 0x03, 0x61, 0x62, 0x63])));
  });
  t.after(() => server.close());
  const e = await attemptWithEvidence(loopbackTarget(server.port), bareCredential(), { ...OPTS, echo: 'xyz' });
  assert.equal(e.outcome, 'upgraded');
  assert.deepEqual(e.echo, { ok: false, problem: 'echo came back different from what was sent' });
});

test('evidence client: a 101 with a wrong accept says which header was wrong', async (t) => {
  const server = await rawServer((s) =>
    s.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' +
        'bm90LXRoZS1hY2NlcHQ=\r\n\r\n',
    ),
  );
  t.after(() => server.close());
  const e = await attemptWithEvidence(loopbackTarget(server.port), bareCredential(), OPTS);
  assert.equal(e.outcome, 'protocol_error');
  assert.equal(e.problem, 'wrong Sec-WebSocket-Accept');
});

test('evidence client: a 401 keeps its status line, WWW-Authenticate and body as evidence', async (t) => {
  const body = '{"httpCode":"401","httpMessage":"Unauthorized"}';
  const server = await rawServer((s) =>
    s.end(
      `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic ` +
        `realm="api"\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ),
  );
  t.after(() => server.close());
  const e = await attemptWithEvidence(loopbackTarget(server.port), bareCredential(), OPTS);
  assert.equal(e.outcome, 'http_401');
  assert.equal(e.statusLine, 'HTTP/1.1 401 Unauthorized');
  assert.equal(e.headers['www-authenticate'], 'Basic realm="api"');
  assert.equal(e.bodySnippet, body);
});

test('evidence client: the request carries the attempt tag, the credential headers and a 16-byte key', async (t) => {
  let head = '';
  const server = await rawServer((s, h) => {
    head = h;
    s.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
  });
  t.after(() => server.close());
  await attemptWithEvidence(loopbackTarget(server.port), bareCredential({ headers: [['X-IBM-Client-Id', 'app-1']] }), {
    ...OPTS,
    attemptId: 'tag-7',
  });
  assert.match(head, /^GET \/echo HTTP\/1\.1\r\n/);
  assert.match(head, /\r\nX-Wsgate-Attempt: tag-7\r\n/);
  assert.match(head, /\r\nX-IBM-Client-Id: app-1\r\n/);
  assert.equal(Buffer.from(requestKey(head), 'base64').length, 16);
});
