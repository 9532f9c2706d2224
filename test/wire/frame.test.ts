import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closeCodeMaySend,
  encodeClientFrame,
  encodeClose,
  OP_BINARY,
  OP_CLOSE,
  OP_TEXT,
  parseClose,
  parseServerFrame,
} from '../../harness/wire/frame.ts';

/** Unmask a client frame by hand: header length from the RFC 6455 5.2 layout, then XOR with the key. */
function unmask(frame: Buffer): { first: number; second: number; headerLength: number; payload: Buffer } {
  const len7 = frame[1]! & 0x7f;
  const extra = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  const key = frame.subarray(2 + extra, 6 + extra);
  const data = frame.subarray(6 + extra);
  return {
    first: frame[0]!,
    second: frame[1]!,
    headerLength: 6 + extra,
    payload: Buffer.from(data.map((b, i) => b ^ key[i & 3]!)),
  };
}

// First in this file on purpose: it sees the first masks this process ever draws.
test('every client frame, from the first, carries a fresh random mask that its payload is XORed with', () => {
  const payload = Buffer.from('same payload every time');
  const masks = new Set<string>();
  let sentInTheClear = 0;
  // 3000 frames: past the ends of the pool of masks drawn in bulk (1024 masks per draw).
  for (let i = 0; i < 3000; i++) {
    const frame = encodeClientFrame(OP_TEXT, payload);
    const u = unmask(frame);
    assert.equal(frame.length, 6 + payload.length, `frame ${i}`);
    assert.ok(u.payload.equals(payload), `frame ${i} unmasks to its payload`);
    masks.add(frame.subarray(2, 6).toString('hex'));
    if (frame.subarray(6).equals(payload)) sentInTheClear++;
  }
  // 32 random bits a frame: two of 3000 alike is a one-in-a-thousand event, an all-zero mask one in four billion.
  assert.ok(masks.size >= 2998, `${masks.size} distinct masks in 3000 frames`);
  assert.equal(sentInTheClear, 0, 'frames whose bytes on the wire are the payload itself');
});

test('client frames of 0, 125, 126, 65535 and 65536 bytes use the 7-bit, 16-bit and 64-bit lengths, masked', () => {
  const cases: Array<[number, number[]]> = [
    [0, [0x80]],
    [125, [0x80 | 125]],
    [126, [0x80 | 126, 0x00, 0x7e]],
    [65535, [0x80 | 126, 0xff, 0xff]],
    [65536, [0x80 | 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]],
  ];
  for (const [size, lengthBytes] of cases) {
    const payload = Buffer.alloc(size, 0x5a);
    const frame = encodeClientFrame(OP_BINARY, payload);
    assert.equal(frame[0], 0x82, `FIN + binary for ${size}`);
    assert.deepEqual([...frame.subarray(1, 1 + lengthBytes.length)], lengthBytes, `length bytes for ${size}`);
    const u = unmask(frame);
    assert.equal(frame.length, u.headerLength + size);
    assert.ok(u.payload.equals(payload), `payload of ${size} comes back after unmasking`);
  }
});

test('a client frame is masked: the bytes on the wire are not the payload', () => {
  const payload = Buffer.from('hello hello hello');
  const frame = encodeClientFrame(OP_TEXT, payload);
  assert.equal(frame[1]! & 0x80, 0x80);
  assert.notDeepEqual(frame.subarray(6), payload);
});

test('a close frame carries its code big-endian', () => {
  const u = unmask(encodeClose(4001));
  assert.equal(u.first, 0x80 | OP_CLOSE);
  assert.deepEqual([...u.payload], [0x0f, 0xa1]);
});

test('server frames of 0, 125, 126, 65535 and 65536 bytes parse from hand-made bytes', () => {
  const header = (size: number): number[] =>
    size < 126
      ? [size]
      : size < 65536
        ? [126, size >> 8, size & 0xff]
        : [127, 0, 0, 0, 0, 0, size >> 16, (size >> 8) & 0xff, size & 0xff];
  for (const size of [0, 125, 126, 65535, 65536]) {
    const bytes = Buffer.concat([
      Buffer.from([0x81, ...header(size)]),
      Buffer.alloc(size, 0x61),
      Buffer.from([0x89, 0x00]),
    ]);
    const p = parseServerFrame(bytes);
    assert.equal(p.kind, 'frame', `size ${size}`);
    if (p.kind !== 'frame') continue;
    assert.equal(p.frame.fin, true);
    assert.equal(p.frame.opcode, OP_TEXT);
    assert.equal(p.frame.payload.length, size);
    assert.equal(p.length, header(size).length + 1 + size, 'the next frame starts right after');
    assert.deepEqual(parseServerFrame(bytes.subarray(0, p.length - 1)), { kind: 'incomplete' });
  }
});

test('a fragment keeps FIN clear; a frame cut inside its extended length is incomplete', () => {
  const p = parseServerFrame(Buffer.from([0x01, 0x02, 0x61, 0x62]));
  assert.equal(p.kind, 'frame', 'a frame that ends exactly at the end of the bytes is complete');
  assert.equal(p.kind === 'frame' && p.frame.fin, false);
  assert.deepEqual(parseServerFrame(Buffer.from([0x81])), { kind: 'incomplete' });
  assert.deepEqual(parseServerFrame(Buffer.from([0x81, 126, 0x01])), { kind: 'incomplete' });
  assert.deepEqual(parseServerFrame(Buffer.from([0x81, 127, 0, 0, 0, 0])), { kind: 'incomplete' });
});

test('a masked server frame, reserved bits and an oversized frame are invalid', () => {
  assert.deepEqual(parseServerFrame(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61])), {
    kind: 'invalid',
    reason: 'server frame is masked',
  });
  assert.deepEqual(parseServerFrame(Buffer.from([0xc1, 0x01, 0x61])), {
    kind: 'invalid',
    reason: 'reserved bits set without a negotiated extension',
  });
  assert.deepEqual(parseServerFrame(Buffer.from([0x82, 126, 0x01, 0x00]), 255), {
    kind: 'invalid',
    reason: 'frame of 256 bytes exceeds 255',
  });
  assert.deepEqual(parseServerFrame(Buffer.from([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]), 1024), {
    kind: 'invalid',
    reason: 'frame of 4294967296 bytes exceeds 1024',
  });
});

test('the smallest frames are two bytes: a ping and a close with nothing in them parse whole', () => {
  assert.deepEqual(parseServerFrame(Buffer.from([0x89, 0x00])), {
    kind: 'frame',
    frame: { fin: true, rsv1: false, opcode: 0x9, payload: Buffer.alloc(0) },
    length: 2,
  });
  const close = parseServerFrame(Buffer.from([0x88, 0x00]));
  assert.equal(close.kind === 'frame' && close.frame.opcode, OP_CLOSE);
  assert.deepEqual(parseServerFrame(Buffer.alloc(0)), { kind: 'incomplete' });
});

test('a frame of exactly the largest payload allowed is fine, by 16- or 64-bit length; one byte more is not', () => {
  // 16-bit length 256 with a limit of 256: complete once all 256 bytes are there, incomplete before.
  const at16 = Buffer.concat([Buffer.from([0x82, 126, 0x01, 0x00]), Buffer.alloc(256, 7)]);
  assert.equal(parseServerFrame(at16, 256).kind, 'frame');
  assert.deepEqual(parseServerFrame(at16.subarray(0, 4), 256), { kind: 'incomplete' });
  assert.deepEqual(parseServerFrame(Buffer.from([0x82, 126, 0x01, 0x01]), 256), {
    kind: 'invalid',
    reason: 'frame of 257 bytes exceeds 256',
  });
  // The same through the 64-bit length (a server may use it for any size).
  const at64 = Buffer.concat([Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 0, 0x01, 0x00]), Buffer.alloc(256, 7)]);
  const p = parseServerFrame(at64, 256);
  assert.equal(p.kind === 'frame' && p.frame.payload.length, 256);
  assert.deepEqual(parseServerFrame(at64.subarray(0, 10), 256), { kind: 'incomplete' });
  // A length past what a double holds exactly is reported as sent, digit for digit.
  assert.deepEqual(parseServerFrame(Buffer.from([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1]), 1024), {
    kind: 'invalid',
    reason: 'frame of 9223372036854775809 bytes exceeds 1024',
  });
});

test('a client frame can leave FIN clear (a fragment) and set RSV1 (compressed), nothing else changes', () => {
  const payload = Buffer.from('part');
  const plain = unmask(encodeClientFrame(OP_TEXT, payload));
  const fragment = unmask(encodeClientFrame(OP_TEXT, payload, { fin: false }));
  const compressed = unmask(encodeClientFrame(OP_TEXT, payload, { rsv1: true }));
  assert.equal(plain.first, 0x81);
  assert.equal(fragment.first, 0x01);
  assert.equal(compressed.first, 0xc1);
  assert.ok(fragment.payload.equals(payload) && compressed.payload.equals(payload));
});

test('a close frame carries its reason as UTF-8 after the code; parseClose reads both and says what is wrong', () => {
  const u = unmask(encodeClose(4001, 'bye ✓'));
  assert.deepEqual(parseClose(u.payload), { code: 4001, reason: 'bye ✓' });
  assert.deepEqual(parseClose(Buffer.alloc(0)), { code: 1005, reason: '' }, 'no payload: no status (1005)');
  assert.match(parseClose(Buffer.from([0x03])).problem ?? '', /one byte/);
  assert.match(parseClose(Buffer.from([0x03, 0xee])).problem ?? '', /1006 must never be sent/);
  assert.match(parseClose(Buffer.from([0x03, 0xe8, 0xff])).problem ?? '', /not UTF-8/);
  assert.equal(closeCodeMaySend(1000), true);
  assert.equal(closeCodeMaySend(1011), true);
  assert.equal(closeCodeMaySend(4999), true);
  for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000]) assert.equal(closeCodeMaySend(code), false, `${code}`);
});

test('RSV1 is accepted only when permessage-deflate was agreed; RSV2 and RSV3 never', () => {
  const compressed = Buffer.from([0xc1, 0x01, 0x61]);
  assert.equal(parseServerFrame(compressed).kind, 'invalid');
  const p = parseServerFrame(compressed, 1024, true);
  assert.equal(p.kind === 'frame' && p.frame.rsv1, true);
  assert.equal(parseServerFrame(Buffer.from([0xa1, 0x01, 0x61]), 1024, true).kind, 'invalid');
});
