import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WireTap } from '../../harness/client/wire-tap.ts';
import { TRACE_FRAMES } from '../../harness/model/trace.ts';
import { encodeClientFrame, encodeClose, OP_BINARY, OP_TEXT } from '../../harness/wire/frame.ts';
import { describeFrames } from '../../harness/wire/frame-trace.ts';

const REQUEST = 'GET /echo HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\n\r\n';
const UPGRADE = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';

/** A server frame by hand: FIN, opcode, unmasked payload (126-length form above 125 bytes). */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const head =
    payload.length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, payload.length])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

test('a tap keeps both heads and the frames after them, even when they arrive byte by byte', () => {
  const tap = new WireTap(performance.now());
  tap.sent(Buffer.from(REQUEST));
  const answer = Buffer.concat([Buffer.from(UPGRADE), serverFrame(OP_TEXT, Buffer.from('hello'))]);
  for (const byte of answer) tap.received(Buffer.from([byte]));
  tap.sent(encodeClientFrame(OP_TEXT, Buffer.from('ping me')));
  tap.sent(encodeClose(4001));
  const t = tap.trace({ phase: 'load', target: 'gw', credential: 'c', attempt: 1, outcome: 'upgraded' });
  assert.equal(t.request, REQUEST.slice(0, -4));
  assert.equal(t.response, UPGRADE.slice(0, -4));
  assert.equal(t.body, undefined);
  assert.deepEqual(
    t.frames.map((f) => [f.dir, f.opcode, f.fin, f.masked, f.length, f.preview]),
    [
      ['received', 'text', true, false, 5, 'hello'],
      ['sent', 'text', true, true, 7, 'ping me'],
      ['sent', 'close', true, true, 2, 'code 4001'],
    ],
  );
});

test('after an answer that is not a 101 the bytes are a body, not frames', () => {
  const tap = new WireTap(performance.now());
  tap.sent(Buffer.from(REQUEST));
  tap.received(Buffer.from('HTTP/1.1 401 Unauthorized\r\nContent-Length: 13\r\n\r\n{"error":"x"}'));
  const t = tap.trace({ phase: 'conformance', target: 'gw', credential: 'c', attempt: 1, outcome: 'http_401' });
  assert.equal(t.response, 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 13');
  assert.equal(t.body, '{"error":"x"}');
  assert.deepEqual(t.frames, []);
});

test('frames past the cap are counted, not listed; steps come out in time order', () => {
  const origin = performance.now();
  const tap = new WireTap(origin);
  tap.received(Buffer.from(UPGRADE));
  for (let i = 0; i < TRACE_FRAMES + 5; i++) tap.received(serverFrame(OP_TEXT, Buffer.from(`m${i}`)));
  tap.step('head_complete', origin + 2);
  tap.step('connected', origin + 1);
  tap.step('first_byte', undefined);
  const t = tap.trace({ phase: 'load', target: 'gw', credential: 'c', attempt: 1, outcome: 'upgraded' });
  assert.equal(t.frames.length, TRACE_FRAMES);
  assert.equal(t.framesNotShown, 5);
  assert.deepEqual(
    t.steps.map((s) => s.step),
    ['connected', 'head_complete'],
  );
});

test('frame descriptions: extended lengths, fragments, reserved bits, binary as hex, long payloads cut', () => {
  const big = Buffer.alloc(300, 'a');
  const frames = Buffer.concat([
    serverFrame(OP_TEXT, big, false),
    serverFrame(0x0, Buffer.from('end')),
    Buffer.from([0xc1, 0x01, 0x41]), // FIN + RSV1 (compressed) text of one byte
    serverFrame(OP_BINARY, Buffer.from([0, 1, 0xfe])),
  ]);
  const { frames: got, used } = describeFrames(Buffer.concat([frames, Buffer.from([0x81])]), 'received', 1);
  assert.equal(used, frames.length, 'the incomplete last frame is left for later');
  assert.deepEqual(
    got.map((f) => [f.opcode, f.fin, f.rsv, f.length, f.preview]),
    [
      ['text', false, 0, 300, `${'a'.repeat(64)}…`],
      ['continuation', true, 0, 3, 'end'],
      ['text', true, 4, 1, 'A'],
      ['binary', true, 0, 3, '0001fe'],
    ],
  );
});
