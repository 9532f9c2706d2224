import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { WireTap } from '../../harness/client/wire-tap.ts';
import { WsSession } from '../../harness/client/ws-session.ts';
import { deflateMessage } from '../../harness/wire/permessage-deflate.ts';
import { rawServer } from '../helpers/raw-server.ts';

/** A server frame (unmasked). */
function frame(first: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([first, len]) : Buffer.from([first, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Unmask the client frames a server got, as [first byte, payload]. */
function clientFrames(buf: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  let at = 0;
  while (at + 6 <= buf.length) {
    const len = buf[at + 1]! & 0x7f;
    const key = buf.subarray(at + 2, at + 6);
    const data = buf.subarray(at + 6, at + 6 + len);
    out.push([buf[at]!, Buffer.from(data.map((b, i) => b ^ key[i & 3]!))]);
    at += 6 + len;
  }
  return out;
}

const servers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** A session to a server that does `act` with its socket once the (dummy) request came. */
async function sessionTo(act: (s: Socket, got: () => Buffer) => void, deflate = false) {
  const server = await rawServer((s) => {
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    act(s, () => got);
  });
  servers.push(server);
  const socket = connect({ host: '127.0.0.1', port: server.port });
  await new Promise((r) => socket.once('connect', r));
  socket.write('GET / HTTP/1.1\r\n\r\n');
  const tap = new WireTap(performance.now(), 64);
  const ws = new WsSession(
    {
      duplex: socket,
      write: (b) => {
        tap.sent(b);
        socket.write(b);
      },
      leftover: Buffer.alloc(0),
      tap,
    },
    deflate,
  );
  // The tap expects a head each way first.
  tap.sent(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
  tap.received(Buffer.from('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
  return { ws, tap };
}

test('a fragmented message is reassembled; a ping is answered with its payload before it is queued', async () => {
  let got: () => Buffer = () => Buffer.alloc(0);
  const { ws } = await sessionTo((s, g) => {
    got = g;
    s.write(
      Buffer.concat([
        frame(0x01, Buffer.from('frag')),
        frame(0x89, Buffer.from('are you there')),
        frame(0x00, Buffer.from('men')),
        frame(0x80, Buffer.from('ted')),
      ]),
    );
  });
  const m = await ws.nextMessage(2000);
  assert.equal(m.kind, 'message');
  assert.equal(m.kind === 'message' && m.data.toString(), 'fragmented');
  assert.equal(m.kind === 'message' && m.frames, 3);
  const p = await ws.next(2000, (e) => e.kind === 'ping');
  assert.equal(p.kind === 'ping' && p.payload.toString(), 'are you there', 'the ping stayed queued for whoever asks');
  await new Promise((r) => setTimeout(r, 50));
  const [pong] = clientFrames(got());
  assert.deepEqual([pong?.[0], pong?.[1].toString()], [0x8a, 'are you there']);
  ws.destroy();
});

test("a server's close with code and reason is answered with the same code, and the end is a FIN", async () => {
  const { ws } = await sessionTo((s) => {
    s.write(frame(0x88, Buffer.concat([Buffer.from([0x0f, 0xa2]), Buffer.from('going')])));
    s.on('data', () => s.end());
  });
  const end = await ws.finished(2000);
  assert.deepEqual(end, { close: { code: 4002, reason: 'going' }, how: 'fin' });
});

test('a TCP reset is told apart from a FIN; a silent server is a bounded timeout, never a hang', async () => {
  const reset = await sessionTo((s) => setTimeout(() => s.resetAndDestroy(), 20));
  assert.equal((await reset.ws.finished(2000)).how, 'reset');
  const quiet = await sessionTo(() => undefined);
  const t0 = performance.now();
  const e = await quiet.ws.nextMessage(150);
  assert.equal(e.kind, 'timeout');
  assert.ok(performance.now() - t0 < 1000);
  assert.equal((await quiet.ws.finished(100)).how, 'timeout', 'finished drops a transport that does not end');
});

test('an RSV1 message is inflated when permessage-deflate was agreed and invalid when it was not', async () => {
  const payload = Buffer.from('compressed '.repeat(50));
  const send = (s: Socket) => s.write(frame(0xc1, deflateMessage(payload)));
  const agreed = await sessionTo(send, true);
  const m = await agreed.ws.nextMessage(2000);
  assert.ok(m.kind === 'message' && m.compressed && m.data.equals(payload));
  const not = await sessionTo(send, false);
  const bad = await not.ws.nextMessage(2000);
  assert.equal(bad.kind, 'invalid');
  assert.match(bad.kind === 'invalid' ? bad.reason : '', /reserved bits/);
});

test('a 4 MiB server message arrives whole, and the tap lists its frame without keeping its bytes', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 7);
  const head = Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 0x40, 0, 0]);
  const { ws, tap } = await sessionTo((s) => s.write(Buffer.concat([head, big])));
  const m = await ws.nextMessage(5000);
  assert.ok(m.kind === 'message' && m.data.length === big.length && m.data.equals(big));
  const [f] = tap.framesFrom(0).filter((x) => x.dir === 'received');
  assert.equal(f?.length, big.length);
  assert.ok((f?.preview.length ?? 0) < 200, 'a preview, not the payload');
  ws.destroy();
});
