import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import { fixtureTls, startFixtures } from '../../fixtures/index.ts';
import type { SessionCheckResult } from '../../harness/model/session.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { runSession } from '../../harness/session/suite.ts';

const app = FIXTURE_CREDENTIALS.validApp;
const stops: Array<() => Promise<void>> = [];
after(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** The session checks of one scenario text, run in this process. */
async function session(yaml: string) {
  const plan = await buildPlan(parseScenario(yaml, 'checks.yaml'));
  return runSession(plan);
}

const scenario = (url: string, extra = '', record?: string) => `name: checks
targets:
  - name: gw
    url: ${url}
${record ? `    backend: { record: "${record}" }\n` : ''}credentials:
  - name: app
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }
${extra}`;

const byId = (checks: SessionCheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

test('a backend limit is a clear finding: the largest size that came back, the 1009 that ended it', async () => {
  const fx = await startFixtures({ backend: { maxMessageBytes: 100_000 } });
  stops.push(fx.stop);
  const t0 = performance.now();
  const s = await session(
    scenario(
      `${fx.urls.gateway}/echo`,
      'session: { checks: [messages.sizes], timeout: 1s }\n',
      fx.urls['backend.record'],
    ),
  );
  const r = s.results[0]!;
  const sizes = byId(r.checks)['messages.sizes']!;
  assert.equal(sizes.verdict, 'fail');
  assert.equal(r.largestIntactBytes, 64 * 1024);
  assert.deepEqual(
    sizes.evidence.sizes!.map((x) => [x.bytes, x.result]),
    [
      [1024, 'intact'],
      [4096, 'intact'],
      [16384, 'intact'],
      [65536, 'intact'],
      [262144, 'closed'],
    ],
  );
  assert.match(sizes.observed, /largest intact 64 KiB; 256 KiB: the connection was closed instead: close 1009/);
  assert.match(sizes.observed, /the backend sent close 1009/, 'who closed it, from the backend record');
  assert.ok(performance.now() - t0 < 5000, 'a finding, not a hang');
});

test('a gateway that silently drops large messages is a finding within the bound, not a hang', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  stops.push(
    () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  );
  wss.on('connection', (ws) => ws.on('message', (d: Buffer, binary) => d.length <= 10_000 && ws.send(d, { binary })));
  const t0 = performance.now();
  const s = await session(
    scenario(
      `ws://127.0.0.1:${(wss.address() as { port: number }).port}/echo`,
      'session: { checks: [messages], timeout: 300ms }\n',
    ),
  );
  const sizes = byId(s.results[0]!.checks)['messages.sizes']!;
  assert.equal(sizes.verdict, 'fail');
  assert.equal(s.results[0]!.largestIntactBytes, 4096);
  assert.match(sizes.observed, /largest intact 4 KiB; 16 KiB: nothing came back within \d+ ms/);
  assert.equal(sizes.evidence.sizes!.at(-1)!.result, 'no_echo');
  assert.ok(performance.now() - t0 < 3000, `${performance.now() - t0} ms`);
});

test('without the records, checks that need them are not applicable and say why; the rest still run', async () => {
  const fx = await startFixtures();
  stops.push(fx.stop);
  const s = await session(scenario(`${fx.urls.gateway}/echo`));
  const c = byId(s.results[0]!.checks);
  for (const id of ['handshake', 'messages.text', 'messages.sizes', 'ping.client', 'negotiation.deflate'] as const)
    assert.equal(c[id]!.verdict, 'pass', `${id}: ${c[id]!.reasons}`);
  for (const id of [
    'ping.backend',
    'close.client',
    'close.backend',
    'close.backend-death',
    'backend.forwarded',
  ] as const)
    assert.match(c[id]!.reasons.join(), /targets\[\]\.backend\.record/, id);
  assert.match(c['auth.hop-by-hop']!.reasons.join(), /authService\.requests/);
  assert.match(c['http2.verdict']!.reasons.join(), /ws:\/\/ target offers no HTTP\/2/);
  assert.match(c['backend.origin']!.reasons.join(), /backend\.record|no Origin/);
  assert.equal(s.failed, 0);
});

/**
 * A stand-in gateway in front of nothing: an echo that, asked to die (`__wsgate:kill`), does what
 * `onKill` says, with an empty backend record so the backend-death check runs.
 */
async function dyingGateway(onKill: (raw: import('node:net').Socket) => void): Promise<string> {
  const http = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"next":0,"total":0,"connections":[]}'),
  );
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, req) => {
    const raw = req.socket;
    ws.on('error', () => undefined);
    ws.on('message', (d, binary) => {
      if (!binary && d.toString() === '__wsgate:kill') onKill(raw);
      else ws.send(d, { binary });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  stops.push(
    () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => r());
      }),
  );
  return `127.0.0.1:${(http.address() as { port: number }).port}`;
}

test('backend death: 1011 passes, 1006 on the wire and 1000 fail, a hanging session fails in bound', async () => {
  const cases: Array<[string, (s: import('node:net').Socket) => void, 'pass' | 'fail', RegExp]> = [
    ['1011', (s) => s.end(Buffer.from([0x88, 0x02, 0x03, 0xf3])), 'pass', /a close frame: close 1011/],
    ['1006', (s) => s.end(Buffer.from([0x88, 0x02, 0x03, 0xee])), 'fail', /1006, which RFC 6455 forbids/],
    ['1000', (s) => s.end(Buffer.from([0x88, 0x02, 0x03, 0xe8])), 'fail', /closed with 1000 \(normal\)/],
    ['reset', (s) => s.resetAndDestroy(), 'pass', /no close frame: a TCP reset/],
    ['nothing', () => undefined, 'fail', /heard nothing within 600 ms/],
  ];
  for (const [name, onKill, verdict, says] of cases) {
    const at = await dyingGateway(onKill);
    const t0 = performance.now();
    const s = await session(
      scenario(`ws://${at}/echo`, 'session: { checks: [close.backend-death], timeout: 300ms }\n', `http://${at}/rec`),
    );
    const c = byId(s.results[0]!.checks)['close.backend-death']!;
    assert.equal(c.verdict, verdict, `${name}: ${c.observed} ${c.reasons}`);
    assert.match(`${c.observed} ${c.reasons.join(' ')}`, says, name);
    assert.ok(performance.now() - t0 < 3000, `${name} took ${performance.now() - t0} ms`);
  }
});

test('a wss:// target is asked for h2 by ALPN: with RFC 8441 each set gets its verdict, without: n/a', async () => {
  const tls = fixtureTls();
  const ca = JSON.stringify(tls.ca);
  const wss = (url: string) => `name: alpn
targets:
  - name: gw
    url: ${url}/echo
    tls: { ca: ${ca}, servername: localhost }
credentials:
  - name: app
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }
  - name: wrong
    expect: 401
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: sk-not-the-right-one }
session: { checks: [http2] }
`;
  const h2 = await startFixtures({ tls, http2: true });
  stops.push(h2.stop);
  const on = await session(wss(h2.urls.gateway!));
  assert.deepEqual(
    on.results.map((r) => [r.credential, r.checks[0]!.verdict, r.http2?.seen]),
    [
      ['app', 'pass', 'upgraded'],
      ['wrong', 'pass', 'http_401'],
    ],
  );
  const h1 = await startFixtures({ tls });
  stops.push(h1.stop);
  const off = await session(wss(h1.urls.gateway!));
  const c = off.results[0]!.checks.find((x) => x.id === 'http2.verdict')!;
  assert.equal(c.verdict, 'not_applicable');
  assert.match(c.reasons.join(), /asked for h2 by ALPN, it (chose http\/1\.1|offered no protocol)/);
});
