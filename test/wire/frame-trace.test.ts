import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceFrame } from '../../harness/model/trace.ts';
import { describeFrames } from '../../harness/wire/frame-trace.ts';

/** The masking key of the RFC 6455 5.7 examples. */
const KEY = [0x37, 0xfa, 0x21, 0x3d];

/** A client frame's payload masked by hand (RFC 6455 5.3): octet i XOR key octet i mod 4. */
function masked(payload: Buffer): Buffer {
  return Buffer.from(payload.map((b, i) => b ^ KEY[i % 4]!));
}

/** The fields of a description that vary from frame to frame, in a row that reads like the wire. */
function rows(frames: TraceFrame[]): [string, boolean, number, boolean, number, string][] {
  return frames.map((f) => [f.opcode, f.fin, f.rsv, f.masked, f.length, f.preview]);
}

function describe(bytes: number[] | Buffer): { frames: TraceFrame[]; used: number } {
  return describeFrames(Buffer.from(bytes), 'received', 0);
}

/** The first 64 octets of 0x00, 0x01, 0x02, … as hex, then the ellipsis of a cut preview. */
const HEX_0_TO_63 =
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' +
  '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f…';

test('the RFC 6455 5.7 examples: text, masked text, two fragments, ping, masked pong, every field', () => {
  const wire = Buffer.from([
    ...[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], // unmasked text "Hello"
    ...[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], // masked text "Hello"
    ...[0x01, 0x03, 0x48, 0x65, 0x6c], // first fragment "Hel", FIN clear
    ...[0x80, 0x02, 0x6c, 0x6f], // last fragment "lo"
    ...[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], // unmasked ping "Hello"
    ...[0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], // masked pong "Hello"
  ]);
  const base = { dir: 'sent', atMs: 12.5, rsv: 0 } as const;
  assert.deepEqual(describeFrames(wire, 'sent', 12.5), {
    frames: [
      { ...base, opcode: 'text', fin: true, masked: false, length: 5, preview: 'Hello' },
      { ...base, opcode: 'text', fin: true, masked: true, length: 5, preview: 'Hello' },
      { ...base, opcode: 'text', fin: false, masked: false, length: 3, preview: 'Hel' },
      { ...base, opcode: 'continuation', fin: true, masked: false, length: 2, preview: 'lo' },
      { ...base, opcode: 'ping', fin: true, masked: false, length: 5, preview: 'Hello' },
      { ...base, opcode: 'pong', fin: true, masked: true, length: 5, preview: 'Hello' },
    ],
    used: 45,
  });
  // The direction and time are the caller's, as given; a masked frame from the server is unmasked all the same.
  const pong = describeFrames(wire.subarray(34), 'received', 7);
  assert.deepEqual(pong, {
    frames: [
      { dir: 'received', atMs: 7, opcode: 'pong', fin: true, rsv: 0, masked: true, length: 5, preview: 'Hello' },
    ],
    used: 11,
  });
});

test('a frame with an empty payload takes its 2 header octets and nothing more', () => {
  assert.deepEqual(rows(describe([0x89, 0x00]).frames), [['ping', true, 0, false, 0, '']]);
  assert.equal(describe([0x89, 0x00]).used, 2);
  assert.deepEqual(describe([0x8a, 0x00, 0x81, 0x00]), {
    frames: [
      { dir: 'received', atMs: 0, opcode: 'pong', fin: true, rsv: 0, masked: false, length: 0, preview: '' },
      { dir: 'received', atMs: 0, opcode: 'text', fin: true, rsv: 0, masked: false, length: 0, preview: '' },
    ],
    used: 4,
  });
  // Masked and empty: the 4 octets of the key are part of the frame.
  assert.deepEqual(rows(describe([0x89, 0x80, 0x37, 0xfa, 0x21, 0x3d]).frames), [['ping', true, 0, true, 0, '']]);
  assert.equal(describe([0x89, 0x80, 0x37, 0xfa, 0x21, 0x3d]).used, 6);
});

test('16-bit (126) and 64-bit (127) lengths: the RFC 6455 5.7 256-byte and 64 KiB binary frames', () => {
  const counting = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i % 256));
  const b256 = Buffer.concat([Buffer.from([0x82, 0x7e, 0x01, 0x00]), counting(256)]);
  assert.deepEqual(rows(describe(b256).frames), [['binary', true, 0, false, 256, HEX_0_TO_63]]);
  assert.equal(describe(b256).used, 260);
  const b64k = Buffer.concat([
    Buffer.from([0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]),
    counting(65536),
  ]);
  assert.deepEqual(rows(describe(b64k).frames), [['binary', true, 0, false, 65536, HEX_0_TO_63]]);
  assert.equal(describe(b64k).used, 65546);
  // Both in one buffer, then a short text frame: each is found where the previous one ends.
  const both = describe(Buffer.concat([b256, b64k, Buffer.from([0x81, 0x02, 0x6f, 0x6b])]));
  assert.deepEqual(rows(both.frames), [
    ['binary', true, 0, false, 256, HEX_0_TO_63],
    ['binary', true, 0, false, 65536, HEX_0_TO_63],
    ['text', true, 0, false, 2, 'ok'],
  ]);
  assert.equal(both.used, 65810);
});

test('extended lengths that are not the shortest form are read as they are (the tracer never rejects)', () => {
  assert.deepEqual(describe([0x81, 0x7e, 0x00, 0x00]), {
    frames: [{ dir: 'received', atMs: 0, opcode: 'text', fin: true, rsv: 0, masked: false, length: 0, preview: '' }],
    used: 4,
  });
  assert.deepEqual(describe([0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]), {
    frames: [{ dir: 'received', atMs: 0, opcode: 'binary', fin: true, rsv: 0, masked: false, length: 0, preview: '' }],
    used: 10,
  });
  const hello16 = describe([0x81, 0x7e, 0x00, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  assert.deepEqual(rows(hello16.frames), [['text', true, 0, false, 5, 'Hello']]);
  assert.equal(hello16.used, 9);
  const hello64 = describe([0x81, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
  assert.deepEqual(rows(hello64.frames), [['text', true, 0, false, 5, 'Hello']]);
  assert.equal(hello64.used, 15);
});

test('a frame is described once its header and 64-octet preview are in, and `used` then runs past the buffer', () => {
  const alphabet = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(3));
  // 300 octets announced, only the first 64 here.
  const head300 = describe(Buffer.concat([Buffer.from([0x81, 0x7e, 0x01, 0x2c]), alphabet.subarray(0, 64)]));
  assert.deepEqual(rows(head300.frames), [
    ['text', true, 0, false, 300, 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl…'],
  ]);
  assert.equal(head300.used, 304);
  // 2^32 octets announced (a 64-bit length past 32 bits), 64 here.
  const huge = describe(
    Buffer.concat([
      Buffer.from([0x82, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
      alphabet.subarray(0, 64),
    ]),
  );
  assert.equal(huge.frames.length, 1);
  assert.equal(huge.frames[0]!.length, 4294967296);
  assert.equal(huge.used, 4294967306);
  // A frame after one cut short is not looked at: its bytes are still the first frame's payload.
  const twoInOne = describe(
    Buffer.concat([Buffer.from([0x81, 0x7e, 0x01, 0x2c]), alphabet, Buffer.from([0x89, 0x00])]),
  );
  assert.equal(twoInOne.frames.length, 1);
  assert.equal(twoInOne.used, 304);
});

test('the preview is the first 64 octets: exactly 64 shown whole, 65 cut with an ellipsis', () => {
  const s64 = '0123456789abcdef'.repeat(4);
  const f64 = describe(Buffer.concat([Buffer.from([0x81, 0x40]), Buffer.from(s64)]));
  assert.deepEqual(rows(f64.frames), [['text', true, 0, false, 64, s64]]);
  assert.equal(f64.used, 66);
  const f65 = describe(Buffer.concat([Buffer.from([0x81, 0x41]), Buffer.from(`${s64}X`)]));
  assert.deepEqual(rows(f65.frames), [['text', true, 0, false, 65, `${s64}…`]]);
  assert.equal(f65.used, 67);
  // A masked client frame with a 16-bit length: the key follows the extended length.
  const text = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(5).slice(0, 126));
  const client = describeFrames(
    Buffer.concat([Buffer.from([0x81, 0xfe, 0x00, 0x7e, ...KEY]), masked(text)]),
    'sent',
    3,
  );
  assert.deepEqual(client, {
    frames: [
      {
        dir: 'sent',
        atMs: 3,
        opcode: 'text',
        fin: true,
        rsv: 0,
        masked: true,
        length: 126,
        preview: 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl…',
      },
    ],
    used: 134,
  });
  // A cut inside a multi-octet character shows U+FFFD: 22 euro signs are 66 octets, the 64th starts the 22nd.
  const euros = describe(Buffer.concat([Buffer.from([0x81, 0x42]), Buffer.from('€'.repeat(22))]));
  assert.equal(euros.frames[0]!.preview, `${'€'.repeat(21)}\ufffd…`);
});

test('close frames: code and reason, code alone, no code (1005), reason control characters as dots', () => {
  const closes = describe([
    ...[0x88, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x34, 0x12, 0x43, 0x44, 0x52], // masked: 1000 "bye"
    ...[0x88, 0x02, 0x03, 0xe9], // 1001, no reason
    ...[0x88, 0x00], // empty
    ...[0x88, 0x01, 0x03], // one octet: not a code
    ...[0x88, 0x05, 0x03, 0xf3, 0x61, 0x0a, 0x62], // 1011 "a\nb"
    ...[0x08, 0x02, 0x0f, 0xa0], // 4000 with FIN clear (the tracer shows it as it is)
  ]);
  assert.deepEqual(rows(closes.frames), [
    ['close', true, 0, true, 5, 'code 1000 "bye"'],
    ['close', true, 0, false, 2, 'code 1001'],
    ['close', true, 0, false, 0, 'no code (1005)'],
    ['close', true, 0, false, 1, 'no code (1005)'],
    ['close', true, 0, false, 5, 'code 1011 "a.b"'],
    ['close', false, 0, false, 2, 'code 4000'],
  ]);
  assert.equal(closes.used, 31);
  // A close frame's preview is its first 64 octets too: the code and 62 octets of a 123-octet reason, no ellipsis.
  const long = describe(Buffer.concat([Buffer.from([0x88, 0x7d, 0x03, 0xe8]), Buffer.from('r'.repeat(123))]));
  assert.deepEqual(rows(long.frames), [['close', true, 0, false, 125, `code 1000 "${'r'.repeat(62)}"`]]);
});

test('reserved bits as RSV1-3 (RSV1 = 4) and reserved opcodes as hex numbers', () => {
  const frames = describe([
    ...[0xc1, 0x01, 0x41], // FIN + RSV1 (compressed) text
    ...[0xa2, 0x01, 0xab], // FIN + RSV2 binary
    ...[0x91, 0x01, 0x42], // FIN + RSV3 text
    ...[0xf0, 0x01, 0x43], // FIN + all three, continuation
    ...[0x73, 0x02, 0x41, 0x00], // FIN clear, all three, opcode 3
    ...[0x8b, 0x01, 0x44], // opcode 0xb
    ...[0x8f, 0x00], // opcode 0xf
  ]).frames;
  assert.deepEqual(rows(frames), [
    ['text', true, 4, false, 1, 'A'],
    ['binary', true, 2, false, 1, 'ab'],
    ['text', true, 1, false, 1, 'B'],
    ['continuation', true, 7, false, 1, 'C'],
    ['0x3', false, 7, false, 2, 'A.'],
    ['0xb', true, 0, false, 1, 'D'],
    ['0xf', true, 0, false, 0, ''],
  ]);
});

test('text shows control characters (00-1f, 7f) as dots and UTF-8 as text; binary is hex', () => {
  const bytes = [0x00, 0x41, 0x1f, 0x20, 0x7e, 0x7f, 0xc3, 0xa9, 0x0a, 0x09, 0x7a];
  const frames = describe([
    ...[0x81, bytes.length, ...bytes],
    ...[0x82, bytes.length, ...bytes],
    ...[0x80, 0x03, 0x61, 0xff, 0x62], // a continuation is text too; an invalid octet is U+FFFD
  ]).frames;
  assert.deepEqual(rows(frames), [
    ['text', true, 0, false, 11, '.A. ~.é..z'],
    ['binary', true, 0, false, 11, '00411f207e7fc3a90a097a'],
    ['continuation', true, 0, false, 3, 'a\ufffdb'],
  ]);
});

test('a header, mask key or preview not all there yet is left for the next call, alone or after a whole frame', () => {
  const ping = [0x89, 0x00];
  const partial: number[][] = [
    [],
    [0x81], // 1 of 2 header octets
    [0x82, 0x7e, 0x01], // 16-bit length cut
    [0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], // 64-bit length cut
    [0x81, 0x85, 0x37, 0xfa], // masking key cut
    [0x89, 0x80, 0x37, 0xfa, 0x21], // masking key of an empty frame cut
    [0x81, 0x05, 0x48, 0x65], // payload of 5, 2 here
    [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51], // masked payload of 5, 4 here
    [0x81, 0x7e, 0x01, 0x2c, ...Buffer.from('x'.repeat(63))], // payload of 300, 63 of the 64 previewed here
  ];
  for (const bytes of partial) {
    assert.deepEqual(describe(bytes), { frames: [], used: 0 }, `alone: ${Buffer.from(bytes).toString('hex')}`);
    const after = describe([...ping, ...bytes]);
    assert.deepEqual(rows(after.frames), [['ping', true, 0, false, 0, '']], Buffer.from(bytes).toString('hex'));
    assert.equal(after.used, 2, `after a ping: ${Buffer.from(bytes).toString('hex')}`);
  }
});

test('a frame split across chunks: the unused tail of one call starts the next and the frame comes out whole', () => {
  const wire = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, 0x89, 0x00];
  for (let cut = 1; cut < wire.length; cut++) {
    const first = describe(wire.slice(0, cut));
    const rest = describe([...wire.slice(first.used, cut), ...wire.slice(cut)]);
    const got = [...rows(first.frames), ...rows(rest.frames)];
    assert.deepEqual(
      got,
      [
        ['text', true, 0, true, 5, 'Hello'],
        ['ping', true, 0, false, 0, ''],
      ],
      `cut at ${cut}`,
    );
    assert.equal(first.used + rest.used, 13, `cut at ${cut}`);
  }
});
