import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { buildReferenceClient, runReferenceClient } from '../../bench/c/reference-client.ts';
import { type EchoBackend, startEchoBackend } from '../../fixtures/echo-backend.ts';

const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const head101 = (accept: string) =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: ` +
  `Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;

/** A loopback TCP server that gets the request head and answers with `respond`; stop() ends every socket and timer. */
async function headServer(
  respond: (socket: Socket, head: string, later: (ms: number, fn: () => void) => void) => void,
): Promise<{ port: number; heads: string[]; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const heads: string[] = [];
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      heads.push(buf);
      respond(socket, buf, later);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    heads,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs the built binary directly, for its exit status; bounded by a kill timeout. */
function runBinary(
  args: string[],
): Promise<{ status: number | string | null | undefined; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    buildReferenceClient().then(
      (bin) =>
        execFile(bin, args, { timeout: 30_000, killSignal: 'SIGKILL', encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ status: error ? error.code : 0, stdout, stderr }),
        ),
      reject,
    );
  });
}

let backend: EchoBackend;
before(async () => {
  backend = await startEchoBackend();
});
after(async () => {
  await backend?.stop();
});

test('the C reference client compiles and upgrades 500 times against the echo backend', async () => {
  const r = await runReferenceClient({ url: `${backend.url}/bench`, count: 500, concurrency: 20 });
  assert.equal(r.mode, 'c');
  assert.equal(r.upgraded, 500);
  assert.equal(r.failed, 0);
  const cpu = r.userUs + r.systemUs;
  assert.ok(Number.isFinite(cpu) && cpu > 0, `CPU time ${cpu}`);
  assert.ok(r.seconds > 0 && r.seconds < 120);
  // The binary is reused, not rebuilt, once it is newer than the source.
  assert.equal(await buildReferenceClient(), await buildReferenceClient());
});

test('the request is built as specified', async () => {
  const server = await headServer((s) => s.end(head101(ACCEPT)));
  try {
    const r = await runReferenceClient({ url: `ws://127.0.0.1:${server.port}/p/q?x=1`, count: 3, concurrency: 1 });
    assert.equal(r.upgraded, 3);
    assert.equal(server.heads.length, 3);
    const lines = server.heads[0]!.split('\r\n');
    assert.equal(lines[0], 'GET /p/q?x=1 HTTP/1.1');
    for (const h of [
      `Host: 127.0.0.1:${server.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ]) {
      assert.ok(lines.includes(h), `${h} in ${JSON.stringify(server.heads[0])}`);
    }
  } finally {
    await server.stop();
  }
});

test('a 101 with the wrong accept value is failed, every attempt, and the exit status says so', async () => {
  const server = await headServer((s) => s.write(head101('AAAAAAAAAAAAAAAAAAAAAAAAAAA=')));
  try {
    // The wrapper resolves on exit 1 with the counts; runReferenceClient cross-checks exit and counts.
    const r = await runReferenceClient({ url: `ws://127.0.0.1:${server.port}/bench`, count: 40, concurrency: 8 });
    assert.equal(r.upgraded, 0);
    assert.equal(r.failed, 40);
    const direct = await runBinary(['127.0.0.1', String(server.port), '/bench', '10', '4']);
    assert.equal(direct.status, 1);
    const line = JSON.parse(direct.stdout) as Record<string, unknown>;
    assert.deepEqual([line.mode, line.upgraded, line.failed], ['c', 0, 10]);
  } finally {
    await server.stop();
  }
});

test('non-101 answers, early closes and refused connections are failed', async () => {
  let n = 0;
  const server = await headServer((s) => {
    // Alternate: a 401, a close before any answer, and "HTTP/1.1 1010" (no 101 despite the prefix).
    const k = n++ % 3;
    if (k === 0) s.end(`HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n\r\n`);
    else if (k === 1) s.end();
    else s.end(`HTTP/1.1 1010 Nope\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n\r\n`);
  });
  try {
    const r = await runReferenceClient({ url: `ws://127.0.0.1:${server.port}/`, count: 30, concurrency: 3 });
    assert.deepEqual([r.upgraded, r.failed], [0, 30]);
  } finally {
    await server.stop();
  }
  // The server is closed now, so nothing listens on its port.
  const refused = await runReferenceClient({ url: `ws://127.0.0.1:${server.port}/`, count: 5, concurrency: 2 });
  assert.deepEqual([refused.upgraded, refused.failed], [0, 5]);
});

test('a correct 101 head split over two writes 20 ms apart is upgraded, wherever it is split', async () => {
  const head = head101(ACCEPT);
  // Inside the status line, inside the accept value, and inside the closing CRLFCRLF.
  const cuts = [10, head.indexOf(ACCEPT) + 7, head.length - 2, head.length - 1];
  let n = 0;
  const server = await headServer((s, _head, later) => {
    const cut = cuts[n++ % cuts.length]!;
    s.write(head.slice(0, cut));
    later(20, () => s.write(head.slice(cut)));
  });
  try {
    const r = await runReferenceClient({ url: `ws://127.0.0.1:${server.port}/split`, count: 12, concurrency: 4 });
    assert.deepEqual([r.upgraded, r.failed], [12, 0]);
    // Split replies take at least 20 ms each, three rounds of four in flight: at least ~60 ms.
    assert.ok(r.seconds >= 0.05, `seconds ${r.seconds}`);
  } finally {
    await server.stop();
  }
});

test('bad arguments exit 2 with a message, and the wrapper rejects what the client cannot reach', async () => {
  for (const args of [
    [],
    ['localhost', '80', '/', '1', '1'],
    ['127.0.0.1', '0', '/', '1', '1'],
    ['127.0.0.1', '80', 'x', '1', '1'],
    ['127.0.0.1', '80', '/', '0', '1'],
    ['127.0.0.1', '80', '/', '1', '-1'],
    ['127.0.0.1', '80', '/', '1', '1', 'nope'],
  ]) {
    const r = await runBinary(args);
    assert.equal(r.status, 2, `args ${JSON.stringify(args)}`);
    assert.match(r.stderr, /^ws-upgrade: .+\nusage:/);
    assert.equal(r.stdout, '');
  }
  await assert.rejects(runReferenceClient({ url: 'ws://localhost:1/', count: 1, concurrency: 1 }), /IPv4 literal/);
  await assert.rejects(runReferenceClient({ url: 'wss://127.0.0.1:1/', count: 1, concurrency: 1 }), /only ws:/);
  await assert.rejects(runReferenceClient({ url: 'ws://127.0.0.1:1/', count: 0, concurrency: 1 }), /count must be/);
});

test('source addresses are bound and rotated, and taskset pins the client', async () => {
  const peers: string[] = [];
  const server = await headServer((s) => {
    peers.push((s.remoteAddress ?? '').replace(/^::ffff:/, ''));
    s.end(head101(ACCEPT));
  });
  try {
    const r = await runReferenceClient({
      url: `ws://127.0.0.1:${server.port}/`,
      count: 4,
      concurrency: 1,
      sourceAddresses: ['127.0.0.2', '127.0.0.3'],
      cpu: 0,
    });
    assert.deepEqual([r.upgraded, r.failed], [4, 0]);
    assert.deepEqual(peers, ['127.0.0.2', '127.0.0.3', '127.0.0.2', '127.0.0.3']);
  } finally {
    await server.stop();
  }
});
