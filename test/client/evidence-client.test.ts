import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { classifySocketError } from '../../harness/outcome/classify.ts';
import { probe } from '../../harness/client/evidence-client.ts';
import { acceptFor } from '../../harness/wire/accept.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';

const OPTS = { attemptId: 't', echoTimeoutMs: 500 };

function switching(accept: string, extra = ''): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`;
}

test('a correct 101 with a working echo is upgraded', async (t) => {
  const server = await rawServer((s, head) => {
    s.write(switching(acceptFor(requestKey(head))));
    // Echo one masked client text frame back unmasked (payload < 126 bytes).
    s.once('data', (f: Buffer) => {
      const len = f[1]! & 0x7f;
      const mask = f.subarray(2, 6);
      const payload = Buffer.from(f.subarray(6, 6 + len).map((b, i) => b ^ mask[i & 3]!));
      s.write(Buffer.concat([Buffer.from([0x81, len]), payload]));
    });
  });
  t.after(() => server.close());
  const e = await probe(loopbackTarget(server.port), bareCredential(), { ...OPTS, echo: 'ping-me' });
  assert.equal(e.outcome, 'upgraded');
  assert.deepEqual(e.echo, { ok: true });
  assert.ok(e.timings.upgradeMs !== undefined && e.timings.echoMs !== undefined);
});

test('a 101 with a wrong Sec-WebSocket-Accept is a protocol_error, not an upgrade', async (t) => {
  const server = await rawServer((s) => s.write(switching('dGhlIHNhbXBsZSBub25jZQ==')));
  t.after(() => server.close());
  const e = await probe(loopbackTarget(server.port), bareCredential(), OPTS);
  assert.equal(e.outcome, 'protocol_error');
  assert.equal(e.problem, 'wrong Sec-WebSocket-Accept');
});

test('a 101 without Upgrade: websocket is a protocol_error', async (t) => {
  const server = await rawServer((s, head) => s.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(requestKey(head))}\r\n\r\n`));
  t.after(() => server.close());
  assert.equal((await probe(loopbackTarget(server.port), bareCredential(), OPTS)).outcome, 'protocol_error');
});

test('a 401 is http_401 with WWW-Authenticate and the body snippet as evidence', async (t) => {
  const body = '{"httpCode":"401","httpMessage":"Unauthorized"}';
  const server = await rawServer((s) => s.end(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="api"\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
  t.after(() => server.close());
  const e = await probe(loopbackTarget(server.port), bareCredential(), OPTS);
  assert.equal(e.outcome, 'http_401');
  assert.equal(e.statusLine, 'HTTP/1.1 401 Unauthorized');
  assert.equal(e.headers['www-authenticate'], 'Basic realm="api"');
  assert.equal(e.bodySnippet, body);
});

test('a connection closed before any response byte is closed_before_response', async (t) => {
  const server = await rawServer((s) => s.end());
  t.after(() => server.close());
  assert.equal((await probe(loopbackTarget(server.port), bareCredential(), OPTS)).outcome, 'closed_before_response');
});

test('a connection reset before any response is reset', async (t) => {
  const server = await rawServer((s) => s.resetAndDestroy());
  t.after(() => server.close());
  assert.equal((await probe(loopbackTarget(server.port), bareCredential(), OPTS)).outcome, 'reset');
});

test('a server that never answers is handshake_timeout', async (t) => {
  const server = await rawServer(() => {});
  t.after(() => server.close());
  const e = await probe(loopbackTarget(server.port, { handshakeTimeoutMs: 300 }), bareCredential(), OPTS);
  assert.equal(e.outcome, 'handshake_timeout');
});

test('a response that is not HTTP is a protocol_error', async (t) => {
  const server = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
  t.after(() => server.close());
  assert.equal((await probe(loopbackTarget(server.port), bareCredential(), OPTS)).outcome, 'protocol_error');
});

test('a closed port is refused', async () => {
  const server = await rawServer(() => {});
  const port = server.port;
  await server.close();
  assert.equal((await probe(loopbackTarget(port), bareCredential(), OPTS)).outcome, 'refused');
});

test('wss:// to a plain TCP server is a tls_error', async (t) => {
  // The TLS ClientHello is not an HTTP head, so this server answers as soon as anything arrives.
  const plain = await rawServerAnsweringBytes();
  t.after(() => plain.close());
  const e = await probe(loopbackTarget(plain.port, { secure: true, tls: { rejectUnauthorized: false } }), bareCredential(), OPTS);
  assert.equal(e.outcome, 'tls_error');
});

test('a listener whose accept queue is full makes connect_timeout', async (t) => {
  // Python holds a socket with backlog 0 that never accepts; after the queue fills, SYNs are dropped.
  const py = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => py.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    py.once('error', reject);
  });
  const target = loopbackTarget(port, { connectTimeoutMs: 400, handshakeTimeoutMs: 400 });
  const outcomes = [];
  for (let i = 0; i < 4; i++) outcomes.push((await probe(target, bareCredential(), OPTS)).outcome);
  assert.ok(outcomes.includes('connect_timeout'), `expected a connect_timeout once the queue is full, saw ${outcomes.join(', ')}`);
});

test('socket errors map to their own outcomes: EADDRNOTAVAIL, EMFILE, ENOTFOUND', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(classifySocketError(err('EADDRNOTAVAIL'), 'connect'), 'port_exhausted');
  assert.equal(classifySocketError(err('EMFILE'), 'connect'), 'fd_exhausted');
  assert.equal(classifySocketError(err('ENOTFOUND'), 'connect'), 'dns_error');
  assert.equal(classifySocketError(err('ECONNREFUSED'), 'connect'), 'refused');
  assert.equal(classifySocketError(err('ECONNRESET'), 'handshake'), 'reset');
  assert.equal(classifySocketError(err('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls'), 'tls_error');
});

async function rawServerAnsweringBytes() {
  const { createServer } = await import('node:net');
  const server = createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
