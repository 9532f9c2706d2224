import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { startEchoBackend } from '../../fixtures/echo-backend.ts';
import { runLoad } from '../../harness/load/engine.ts';
import { runCli } from '../helpers/cli.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-held-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hold = { count: 200, rampUpMs: 500, holdMs: 1500, messageEveryMs: 250, messageBytes: 32, messageTimeoutMs: 1000 };

test('held connections ramp up, exchange timed echoes, and close cleanly', async (t) => {
  const backend = await startEchoBackend();
  t.after(() => backend.stop());
  const target = loopbackTarget(backend.port);
  const r = await runLoad({
    stages: [],
    targets: [target],
    mix: [{ cred: bareCredential(), weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: 1000,
    hold,
    sourceAddresses: ['127.0.0.2', '127.0.0.3'],
  });
  const h = r.held!;
  assert.equal(r.model, 'connections');
  assert.equal(r.attempts, 200);
  assert.equal(h.opened, 200);
  assert.equal(h.peak, 200);
  assert.equal(h.dropped, 0);
  assert.equal(h.closedClean, 200);
  assert.equal(h.echoFailed, 0);
  assert.equal(h.changed, 0, 'every echo byte-exact');
  assert.equal(h.firstRtt?.count, 200);
  // Each connection sends every 250 ms for at least the 1.5 s hold: 6 or more messages each.
  assert.ok(h.messages >= 200 * 6, `${h.messages} messages`);
  assert.equal(h.echoes, h.messages);
  assert.equal(h.rtt?.count, h.messages - 200);
  const set = r.sets[0]!;
  assert.equal(set.timings?.firstRtt?.count, 200);
  assert.equal(set.timings?.upgrade?.count, 200);
  assert.equal(set.timings?.connect?.count, 200);
  // The backend saw them come from both source addresses, rotated.
  const from = new Set((await backend.record()).map((e) => e.remoteAddress));
  assert.deepEqual([...from].sort(), ['127.0.0.2', '127.0.0.3']);
});

test('connections the server drops are counted by close code', async (t) => {
  // A backend that, 600 ms after each upgrade, closes a third with 1001, cuts a third with no close
  // frame (1006), and keeps the rest.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  // Closing waits for every connection: end those the run left, so the close cannot wait on them.
  t.after(
    () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(resolve);
      }),
  );
  let n = 0;
  wss.on('connection', (ws) => {
    const k = n++ % 3;
    ws.on('message', (d) => ws.send(d));
    const timer = setTimeout(
      () => (k === 0 ? ws.close(1001, 'going away') : k === 1 ? ws.terminate() : undefined),
      600,
    );
    ws.on('close', () => clearTimeout(timer));
  });
  const port = (wss.address() as { port: number }).port;
  const target = loopbackTarget(port);
  const r = await runLoad({
    stages: [],
    targets: [target],
    mix: [{ cred: bareCredential(), weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: 1000,
    hold: { ...hold, count: 90 },
    sourceAddresses: [],
  });
  const h = r.held!;
  assert.equal(h.opened, 90);
  assert.equal(h.dropped, 60);
  assert.deepEqual(h.dropCodes, { 1001: 30, 1006: 30 });
  assert.equal(h.closedClean, 30);
  assert.equal(
    r.series.reduce((s, x) => s + (x.dropped ?? 0), 0),
    60,
  );
});

test('messages whose echo never comes are lost (session.lost), counted as their connection ends', async (t) => {
  // A backend that echoes the first two messages of each connection and then swallows every one.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  t.after(
    () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(resolve);
      }),
  );
  wss.on('connection', (ws) => {
    let seen = 0;
    ws.on('message', (d) => {
      if (++seen <= 2) ws.send(d);
    });
  });
  const target = loopbackTarget((wss.address() as { port: number }).port);
  const r = await runLoad({
    stages: [],
    targets: [target],
    mix: [{ cred: bareCredential(), weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: 1000,
    hold: { ...hold, count: 20, messageTimeoutMs: 300 },
    sourceAddresses: [],
  });
  const h = r.held!;
  assert.equal(h.dropped, 0);
  assert.equal(h.echoes, 40, 'two echoes per connection');
  assert.equal(h.late, 0);
  assert.ok(h.messages > 60, `${h.messages} messages`);
  assert.equal(h.lost, h.messages - h.echoes, 'every message without its echo is lost, the one in flight at close too');
  assert.equal(
    r.series.reduce((n, x) => n + (x.lost ?? 0), 0),
    h.lost,
    'the series adds up to the same losses',
  );
  assert.equal(
    r.series.reduce((n, x) => n + (x.echoes ?? 0), 0),
    h.echoes,
  );
  assert.ok(
    r.series.some((x) => (x.rttP95 ?? 0) > 0),
    'seconds with echoes have a round-trip p95',
  );
});

test('an echo that comes back changed is counted (session.changed), not taken for the message', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  t.after(
    () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(resolve);
      }),
  );
  // Every other message comes back with its last byte changed, or as binary.
  wss.on('connection', (ws) => {
    let n = 0;
    ws.on('message', (d: Buffer) => {
      n++;
      if (n % 4 === 2) ws.send(Buffer.concat([d.subarray(0, -1), Buffer.from('!')]), { binary: false });
      else if (n % 4 === 0) ws.send(d, { binary: true });
      else ws.send(d, { binary: false });
    });
  });
  const target = loopbackTarget((wss.address() as { port: number }).port);
  const r = await runLoad({
    stages: [],
    targets: [target],
    mix: [{ cred: bareCredential(), weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: 1000,
    hold: { ...hold, count: 10 },
    sourceAddresses: [],
  });
  const h = r.held!;
  assert.equal(h.lost, 0);
  assert.ok(h.echoes >= 40, `${h.echoes} echoes`);
  // Messages 2, 4, 6, … of each connection came back changed: half of them, give or take one each.
  assert.ok(Math.abs(h.changed! - h.echoes / 2) <= 10, `${h.changed} of ${h.echoes} changed`);
});

test(
  'wsgate run: held connections and arrivals together over two workers, 90/10 mix through the ' + 'reference gateway',
  async (t) => {
    const file = join(dir, 'held.yaml');
    writeFileSync(
      file,
      `name: held
fixtures: true
targets: [{ name: gw, url: "\${fixture:gateway}/echo" }]
credentials:
  - name: valid
    expect: 200
    weight: 9
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-orders-web-7Hq2xVb9LmPz }
  - name: wrong-secret
    expect: 401
    weight: 1
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: nope }
load:
  workers: 2
  saturation: warn # counts are asserted here, on a machine that may be busy; test/load/saturation.test.ts judges that
  connections: { count: 300, rampUp: 1s, hold: 2s, messageEvery: 500ms }
  arrivalRate: [{ rate: 200, duration: 3s }]
thresholds: [ "dropped == 0", "held_peak >= 300", "unexpected_outcomes == 0" ]
`,
    );
    const res = await runCli(['run', file, '--out', join(dir, 'out-held')]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const s = JSON.parse(readFileSync(join(dir, 'out-held', 'summary.json'), 'utf8'));
    assert.equal(s.load.model, 'arrival-rate+connections');
    assert.equal(s.load.workers, 2);
    assert.equal(s.load.held.peak, 300);
    assert.equal(s.load.held.dropped, 0);
    // Held connections draw only sets expected to upgrade; arrivals draw 90/10 exactly.
    const valid = s.load.sets.find((x: { credential: string }) => x.credential === 'valid');
    const wrong = s.load.sets.find((x: { credential: string }) => x.credential === 'wrong-secret');
    assert.equal(valid.attempts, 300 + 540);
    assert.equal(wrong.attempts, 60);
    assert.deepEqual(wrong.outcomes, { http_401: 60 });
    assert.ok(s.load.held.firstRtt.count === 300);
    assert.equal(s.metrics['session.lost'], 0, 'no message lost through the reference gateway');
    assert.equal(s.metrics.dropped, 0);
    // A message's round trip is an echo through the gateway on an open connection, as the first echo is: the
    // same order of size (within 20x either way of its p95; a unit slip would be 1000x), and inside the 5 s
    // message timeout past which it would not be a round trip but a failed echo.
    const rtt = s.metrics['session.rtt.p95'];
    const firstRtt = s.load.held.firstRtt.p95;
    t.diagnostic(`session.rtt.p95 ${rtt} ms, session.first_rtt.p95 ${firstRtt} ms`);
    assert.ok(
      rtt > firstRtt / 20 && rtt < firstRtt * 20 && rtt < 5000,
      `session.rtt.p95 ${rtt}, session.first_rtt.p95 ${firstRtt}`,
    );
    const html = readFileSync(join(dir, 'out-held', 'index.html'), 'utf8');
    assert.match(html, /<table id="held">.*held at peak<\/th><td class="num">300 of 300<\/td>/s);
    assert.match(html, /<table id="load-timings">.*first message RTT.*message RTT/s);
    assert.doesNotMatch(res.stderr + res.stdout + html, /sk-orders-web-7Hq2xVb9LmPz/);
  },
);

test('a large result (40 sets x phases) comes back from every worker whole', async () => {
  const backend = await startEchoBackend();
  try {
    const file = join(dir, 'many-sets.yaml');
    const sets = Array.from({ length: 40 }, (_, i) => `  - { name: set-${i}, expect: 200 }`).join('\n');
    writeFileSync(
      file,
      `name: many-sets\ntargets: [{ name: echo, url: "${backend.url}/x" }]\ncredentials:\n${sets}\nload:\n  ` +
        `workers: 3\n  saturation: warn\n  arrivalRate: [{ rate: 600, duration: 2s }]\n  ` +
        `connections: { count: 120, rampUp: 500ms, hold: 1s, messageEvery: 200ms }\n`,
    );
    const res = await runCli(['run', file, '--out', join(dir, 'out-many')]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const s = JSON.parse(readFileSync(join(dir, 'out-many', 'summary.json'), 'utf8'));
    assert.equal(s.load.workers, 3);
    assert.equal(s.load.attempts, 1200 + 120);
    assert.equal(s.load.sets.length, 40);
    assert.ok(
      s.load.sets.every((x: { attempts: number }) => x.attempts === 33),
      'the mix is exact over all workers',
    );
  } finally {
    await backend.stop();
  }
});
