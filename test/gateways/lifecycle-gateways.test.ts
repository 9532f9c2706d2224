import assert from 'node:assert/strict';
import { connect as h2connect, type IncomingHttpHeaders } from 'node:http2';
import { after, before, type TestContext, test } from 'node:test';
import WebSocket from 'ws';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import { fixtureTls, type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import type { RunningGateway } from '../../fixtures/node-gateway/gateway.ts';
import { CADDY_VARIANTS, caddyHasStreamCloseDelay, startCaddy } from '../../fixtures/real-gateways/caddy.ts';
import { HAPROXY_VARIANTS, startHaproxy } from '../../fixtures/real-gateways/haproxy.ts';
import { alive, type RealGatewayOptions } from '../../fixtures/real-gateways/launcher.ts';
import { NGINX_VARIANTS, startNginx } from '../../fixtures/real-gateways/nginx.ts';
import { ensureDebianPackage } from '../helpers/debian.ts';

/**
 * Lifecycle of the real gateways, observed: reload() with a WebSocket held across it, old processes after it, the
 * configuration variants' idle and drain limits (shortened through idleTimeoutMs / drainTimeoutMs), and WebSockets
 * over HTTP/2 (RFC 8441) through HAProxy.
 */

const skipFor = (binary: string): string | false => {
  const found = ensureDebianPackage(binary);
  return found.ok ? false : `*** ${binary} unavailable: ${found.reason} ***`;
};
const skip = { nginx: skipFor('nginx'), caddy: skipFor('caddy'), haproxy: skipFor('haproxy') };

const app = FIXTURE_CREDENTIALS.validApp;
let fx: RunningFixtures;
before(async () => {
  fx = await startFixtures();
});
after(async () => {
  await fx?.stop();
});

type Starter = (opts: RealGatewayOptions) => Promise<RunningGateway>;

/** Start a gateway in front of the bundled backend and auth service; stopped after the test, every process gone. */
async function start(t: TestContext, starter: Starter, opts: Partial<RealGatewayOptions> = {}) {
  const gw = await starter({ backendUrl: fx.urls.backend!, authUrl: fx.urls.auth!, ...opts });
  const seen = new Set<number>(await gw.processIds!());
  const note = async () => {
    for (const pid of await gw.processIds!()) seen.add(pid);
  };
  t.after(async () => {
    await note();
    await gw.stop();
    assert.deepEqual(
      [...seen].filter((pid) => alive(pid)),
      [],
      'no gateway process is left after stop()',
    );
  });
  return { gw, note };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

interface Session {
  ws: WebSocket;
  /** The close code and when it came (Date.now()). */
  closed: Promise<{ code: number; at: number }>;
  echo(text: string): Promise<string>;
}

/** A WebSocket to `<url>/echo` with the valid app's credentials, open and echoing. */
async function session(t: TestContext, url: string, opts: { ca?: string } = {}): Promise<Session> {
  const ws = new WebSocket(`${url}/echo`, {
    headers: { 'X-IBM-Client-Id': app.clientId, 'X-IBM-Client-Secret': app.secret },
    ca: opts.ca,
  });
  t.after(() => ws.terminate());
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => resolve({ code, at: Date.now() })),
  );
  ws.on('error', () => undefined);
  await within(
    new Promise((resolve, reject) => ws.once('open', resolve).once('unexpected-response', reject)),
    3000,
    'open',
  );
  const echo = (text: string) =>
    within(
      new Promise<string>((resolve) => {
        ws.once('message', (data) => resolve(String(data)));
        ws.send(text);
      }),
      2000,
      `echo of ${text}`,
    );
  assert.equal(await echo('first'), 'first');
  return { ws, closed, echo };
}

/** Whether the session is still open after `ms`. */
async function stillOpen(s: Session, ms: number): Promise<boolean> {
  const r = await Promise.race([s.closed, sleep(ms).then(() => 'open' as const)]);
  return r === 'open';
}

test('every real gateway refuses an unknown variant and names the known ones', async () => {
  for (const [starter, known] of [
    [startNginx, NGINX_VARIANTS],
    [startCaddy, CADDY_VARIANTS],
    [startHaproxy, HAPROXY_VARIANTS],
  ] as const) {
    await assert.rejects(starter({ backendUrl: 'ws://127.0.0.1:1', authUrl: 'http://127.0.0.1:1/a', variant: 'x' }), {
      message: new RegExp(`no variant "x" \\(known: ${known.join(', ')}\\)`),
    });
  }
});

test('nginx shipped: a held WebSocket survives reload() and echoes, until worker_shutdown_timeout closes it', {
  skip: skip.nginx,
}, async (t) => {
  const { gw } = await start(t, startNginx, { variant: 'shipped', drainTimeoutMs: 2000 });
  const held = await session(t, gw.url);
  const before = await gw.processIds!();
  assert.equal(before.length, 2, `master and one worker: ${before}`);
  const [master, oldWorker] = before as [number, number];
  const reloadedAt = Date.now();
  await gw.reload!();
  assert.equal(await held.echo('after reload'), 'after reload');
  const afterReload = await gw.processIds!();
  assert.equal(afterReload[0], master, 'the master keeps its PID');
  assert.ok(afterReload.includes(oldWorker), `the old worker drains: ${afterReload}`);
  assert.equal(afterReload.filter((p) => !before.includes(p)).length, 1, `one new worker: ${afterReload}`);
  // The old worker closes its listening socket when it gets the master's QUIT, a moment after the new
  // worker is up: a session opened in that moment lands on the old worker (seen on a busy machine).
  await sleep(500);
  const fresh = await session(t, gw.url);
  assert.equal(await fresh.echo('new config'), 'new config');
  // worker_shutdown_timeout (2 s here, 10 s shipped) ends the old worker and the session it held.
  const { code, at } = await within(held.closed, 6000, 'held session closed by the shutdown timeout');
  assert.equal(code, 1006, 'nginx drops the connection without a close frame');
  const closedAfter = at - reloadedAt;
  assert.ok(closedAfter >= 1500 && closedAfter < 4500, `closed ${closedAfter} ms after the reload`);
  await waitFor(() => !alive(oldWorker), 2000, 'old worker gone');
  assert.deepEqual(
    await gw.processIds!(),
    afterReload.filter((p) => p !== oldWorker),
  );
  assert.equal(await fresh.echo('still'), 'still', 'the session on the new worker is untouched');
});

test('nginx no-shutdown-timeout: the old worker lives while the held WebSocket does, and leaves after it', {
  skip: skip.nginx,
}, async (t) => {
  const { gw } = await start(t, startNginx, { variant: 'no-shutdown-timeout' });
  const held = await session(t, gw.url);
  const [master, oldWorker] = (await gw.processIds!()) as [number, number];
  await gw.reload!();
  assert.equal(await held.echo('after reload'), 'after reload');
  assert.ok(await stillOpen(held, 3000), 'the held session outlives 3 s after the reload');
  const pids = await gw.processIds!();
  assert.equal(pids[0], master);
  assert.ok(pids.includes(oldWorker) && alive(oldWorker), `old worker ${oldWorker} still alive 3 s on: ${pids}`);
  assert.equal(pids.length, 3, `master, old worker, new worker: ${pids}`);
  assert.equal(await held.echo('3 s later'), '3 s later');
  held.ws.close(1000);
  await waitFor(() => !alive(oldWorker), 3000, 'old worker leaves once its last session closed');
});

test('nginx default-timeouts: an idle session is cut by proxy_read_timeout (60 s default, 2 s here)', {
  skip: skip.nginx,
}, async (t) => {
  const { gw: defaults } = await start(t, startNginx, { variant: 'default-timeouts', idleTimeoutMs: 2000 });
  const { gw: shipped } = await start(t, startNginx, { variant: 'shipped' });
  const idle = await session(t, defaults.url);
  const kept = await session(t, shipped.url);
  const openedAt = Date.now();
  const { code, at } = await within(idle.closed, 5000, 'idle session cut');
  assert.equal(code, 1006);
  assert.ok(at - openedAt >= 1500 && at - openedAt < 4000, `cut after ${at - openedAt} ms idle`);
  assert.ok(await stillOpen(kept, 500), 'shipped (proxy_read_timeout 3600s) keeps the idle session');
  assert.equal(await kept.echo('idle but alive'), 'idle but alive');
});

test('caddy: reload() through the admin API closes held WebSockets with 1001 unless stream_close_delay keeps them', {
  skip: skip.caddy,
}, async (t) => {
  const keeps = await caddyHasStreamCloseDelay();
  if (!keeps)
    t.diagnostic(
      '*** this Caddy (< 2.7, e.g. Debian 12 2.6.2) has no stream_close_delay: shipped drops sessions on reload ***',
    );
  for (const variant of CADDY_VARIANTS) {
    const { gw } = await start(t, startCaddy, { variant });
    const before = await gw.processIds!();
    assert.equal(before.length, 1, `caddy is one process: ${before}`);
    const held = await session(t, gw.url);
    await gw.reload!();
    assert.deepEqual(await gw.processIds!(), before, 'the same process after the reload');
    const fresh = await session(t, gw.url);
    assert.equal(await fresh.echo('new config'), 'new config', `${variant}: a new session works`);
    if (variant === 'shipped' && keeps) {
      assert.equal(await held.echo('after reload'), 'after reload');
      assert.ok(await stillOpen(held, 1000), 'shipped keeps the held session');
    } else {
      // reverse_proxy's Cleanup on the old config sends Close 1001 (going away) and closes the connection.
      const { code } = await within(held.closed, 3000, `${variant}: held session closed by the reload`);
      assert.equal(code, 1001, `${variant}: close code`);
    }
  }
});

test('haproxy shipped: reload() hands the listeners over; the held WebSocket stays on its old worker until it ends', {
  skip: skip.haproxy,
}, async (t) => {
  const { gw } = await start(t, startHaproxy, { variant: 'shipped' });
  const held = await session(t, gw.url);
  const before = await gw.processIds!();
  assert.equal(before.length, 2, `master and one worker: ${before}`);
  const [master, oldWorker] = before as [number, number];
  await gw.reload!();
  assert.equal(await held.echo('after reload'), 'after reload');
  const fresh = await session(t, gw.url);
  assert.equal(await fresh.echo('new config'), 'new config');
  assert.ok(await stillOpen(held, 1000));
  const pids = await gw.processIds!();
  assert.equal(pids[0], master, 'the master keeps its PID across its re-exec');
  assert.ok(pids.includes(oldWorker), `the old worker stays for the held session: ${pids}`);
  assert.equal(pids.length, 3, `master, old worker, new worker: ${pids}`);
  held.ws.close(1000);
  await waitFor(() => !alive(oldWorker), 3000, 'old worker leaves once its last session closed');
  assert.equal(await fresh.echo('still'), 'still');
});

test('haproxy default-timeouts: without timeout tunnel, timeout client/server (60 s, 2 s here) cut an idle session', {
  skip: skip.haproxy,
}, async (t) => {
  const { gw: defaults } = await start(t, startHaproxy, { variant: 'default-timeouts', idleTimeoutMs: 2000 });
  const { gw: shipped } = await start(t, startHaproxy, { variant: 'shipped' });
  const idle = await session(t, defaults.url);
  const kept = await session(t, shipped.url);
  const openedAt = Date.now();
  const { code, at } = await within(idle.closed, 5000, 'idle session cut');
  assert.equal(code, 1006);
  assert.ok(at - openedAt >= 1500 && at - openedAt < 4000, `cut after ${at - openedAt} ms idle`);
  assert.ok(await stillOpen(kept, 500), 'shipped (timeout tunnel 1h) keeps the idle session');
  assert.equal(await kept.echo('idle but alive'), 'idle but alive');
});

interface H2Attempt {
  alpn: string | false | undefined;
  enableConnectProtocol: boolean | undefined;
  status: number;
  /** The echo of a masked text frame sent on the stream, when the status was 200. */
  echo?: string;
  body: string;
}

/** A masked client text frame (payload under 126 bytes). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** WebSocket over HTTP/2 (RFC 8441): SETTINGS first, then CONNECT :protocol websocket, then one echo. */
async function h2WebSocket(url: string, secret: string, ca?: string): Promise<H2Attempt> {
  const u = new URL(url.replace(/^ws/, 'http'));
  const session = h2connect(u.origin, ca ? { ca } : {});
  session.on('error', () => undefined);
  try {
    await within(new Promise((resolve) => session.once('remoteSettings', resolve)), 3000, `${url} SETTINGS`);
    const result: H2Attempt = {
      alpn: session.alpnProtocol,
      enableConnectProtocol: session.remoteSettings.enableConnectProtocol,
      status: 0,
      body: '',
    };
    const stream = session.request({
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': u.protocol.slice(0, -1),
      ':authority': u.host,
      ':path': '/echo',
      'sec-websocket-version': '13',
      'x-ibm-client-id': app.clientId,
      'x-ibm-client-secret': secret,
    });
    stream.on('error', () => undefined);
    let data = Buffer.alloc(0);
    stream.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
    });
    const headers = await within(
      new Promise<IncomingHttpHeaders>((resolve) => stream.once('response', resolve)),
      3000,
      `${url} response`,
    );
    result.status = Number(headers[':status']);
    if (result.status === 200) {
      stream.write(textFrame('over h2'));
      // An unmasked server text frame: 0x81, length, payload.
      await waitFor(() => data.length >= 2 && data.length >= 2 + data[1]!, 2000, 'echo frame');
      assert.equal(data[0], 0x81, 'a final text frame');
      result.echo = data.subarray(2, 2 + data[1]!).toString();
    } else {
      await within(new Promise((resolve) => stream.once('end', resolve)), 2000, 'denial body');
      result.body = data.toString();
    }
    stream.close();
    return result;
  } finally {
    session.destroy();
  }
}

test('haproxy http2 without TLS: h2c on h2Url runs the same auth: 200 and an echo, 401 for a wrong secret', {
  skip: skip.haproxy,
}, async (t) => {
  const { gw } = await start(t, startHaproxy, { http2: true });
  assert.ok(gw.h2Url?.startsWith('ws://127.0.0.1:') && gw.h2Url !== gw.url, `a second port: ${gw.h2Url}`);
  const since = (await fx.backend.record()).length;
  const ok = await h2WebSocket(gw.h2Url!, app.secret);
  assert.deepEqual(
    { alpn: ok.alpn, ecp: ok.enableConnectProtocol, status: ok.status, echo: ok.echo },
    { alpn: 'h2c', ecp: true, status: 200, echo: 'over h2' },
  );
  const denied = await h2WebSocket(gw.h2Url!, 'wrong-secret');
  assert.equal(denied.status, 401);
  assert.match(denied.body, /"httpCode":"401"/);
  const reached = (await fx.backend.record()).slice(since);
  assert.equal(reached.length, 1, 'only the allowed one reached the backend');
  assert.equal(reached[0]!.headers['x-authenticated-identity'], `app:${app.name}`);
  assert.equal(reached[0]!.headers['x-ibm-client-secret'], undefined, 'the secret is stripped over h2 too');
  // HAProxy also upgrades an HTTP/1.1 port to h2 on the h2 preface (its default, "option disable-h2-upgrade" off).
  const onMainPort = await h2WebSocket(gw.url, app.secret);
  assert.equal(onMainPort.status, 200);
  assert.equal(onMainPort.echo, 'over h2');
});

test('haproxy http2 with TLS: ALPN h2 on the gateway port: 200 and an echo, 401 for a wrong secret; h1 still works', {
  skip: skip.haproxy,
}, async (t) => {
  const tls = fixtureTls();
  const { gw } = await start(t, startHaproxy, { http2: true, tls });
  assert.equal(gw.h2Url, gw.url);
  assert.ok(gw.url.startsWith('wss://127.0.0.1:'));
  const ok = await h2WebSocket(gw.h2Url!, app.secret, tls.ca);
  assert.deepEqual(
    { alpn: ok.alpn, ecp: ok.enableConnectProtocol, status: ok.status, echo: ok.echo },
    { alpn: 'h2', ecp: true, status: 200, echo: 'over h2' },
  );
  assert.equal((await h2WebSocket(gw.h2Url!, 'wrong-secret', tls.ca)).status, 401);
  const h1 = await session(t, gw.url, { ca: tls.ca });
  assert.equal(await h1.echo('over h1'), 'over h1');
});

test('nginx 1.22 and Caddy 2.6 offer no WebSocket over HTTP/2: h2Url stays undefined', {
  skip: skip.nginx || skip.caddy,
}, async (t) => {
  for (const starter of [startNginx, startCaddy]) {
    const { gw } = await start(t, starter, { http2: true });
    assert.equal(gw.h2Url, undefined);
  }
});
