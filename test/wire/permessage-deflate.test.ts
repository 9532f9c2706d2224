import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import { DEFLATE_OFFER, deflateMessage, inflateMessage, namesDeflate } from '../../harness/wire/permessage-deflate.ts';

/** The octets a receiver appends to a message before inflating it (RFC 7692 7.2.2). */
const TAIL = [0x00, 0x00, 0xff, 0xff];

/** "Hello" compressed as one DEFLATE block, the tail removed (RFC 7692 7.2.3.1). */
const HELLO = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

/** What a receiver does (RFC 7692 7.2.2): append the tail, inflate with a sync flush, independent of the module. */
function receive(message: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([message, Buffer.from(TAIL)]), { finishFlush: constants.Z_SYNC_FLUSH });
}

test('a compressed message drops the 00 00 ff ff tail (RFC 7692 7.2.1) and inflates back byte-exact', () => {
  for (const text of ['', 'a', 'wsgate '.repeat(500), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251))]) {
    const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
    const c = deflateMessage(payload);
    assert.notDeepEqual([...c.subarray(-4)], TAIL);
    const back = inflateMessage(c, 1 << 20);
    assert.ok(Buffer.isBuffer(back) && back.equals(payload), `${payload.length} bytes`);
    // Any inflater reading with the tail added back agrees (what a server does).
    assert.ok(receive(c).equals(payload), `${payload.length} bytes, inflated by zlib directly`);
  }
});

test('"Hello" compresses to the RFC 7692 7.2.3.1 octets: one block, sync-flushed, the 00 00 ff ff tail removed', () => {
  assert.deepEqual([...deflateMessage(Buffer.from('Hello'))], HELLO);
});

test('the offer is the one browsers send, as it goes in Sec-WebSocket-Extensions', () => {
  assert.equal(DEFLATE_OFFER, 'permessage-deflate; client_max_window_bits');
  assert.equal(namesDeflate(DEFLATE_OFFER), true);
});

test('the RFC 7692 7.2.3 example messages inflate to "Hello" (the receiver appends the tail, 7.2.2)', () => {
  const examples: Record<string, number[]> = {
    '7.2.3.1 one compressed block': HELLO,
    '7.2.3.3 a block with no compression': [0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00],
    '7.2.3.4 a block with BFINAL set': [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00],
    '7.2.3.5 two blocks': [0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00],
  };
  for (const [name, bytes] of Object.entries(examples)) {
    const out = inflateMessage(Buffer.from(bytes), 1024);
    assert.ok(Buffer.isBuffer(out), `${name}: ${String(out)}`);
    assert.equal(out.toString('latin1'), 'Hello', name);
  }
});

test('the receiver appends exactly 00 00 ff ff: a stored block of 4 octets whose data is the tail shows it', () => {
  // 00: BFINAL 0, BTYPE 00 (no compression), then LEN 0004 and NLEN fffb, little-endian; the 4 data octets are cut.
  const out = inflateMessage(Buffer.from([0x00, 0x04, 0x00, 0xfb, 0xff]), 1024);
  assert.ok(Buffer.isBuffer(out), String(out));
  assert.deepEqual([...out], TAIL);
});

test('7.2.3.2: a message that refers back into the previous one does not inflate without its context', () => {
  // The second "Hello" of the example, sent with context takeover: a back-reference to the first message.
  const out = inflateMessage(Buffer.from([0xf2, 0x00, 0x11, 0x00, 0x00]), 1024);
  assert.ok(out instanceof Error);
  assert.equal(out.message, 'the compressed message does not inflate: invalid distance too far back');
});

test('maxBytes bounds the inflated size: "Hello" inflates within 5 octets and is an Error within 4', () => {
  const five = inflateMessage(Buffer.from(HELLO), 5);
  assert.ok(Buffer.isBuffer(five) && five.toString('latin1') === 'Hello', String(five));
  const four = inflateMessage(Buffer.from(HELLO), 4);
  assert.ok(four instanceof Error);
  assert.match(four.message, /^the compressed message does not inflate: /);
});

test('a payload that does not inflate, or inflates past the bound, is an Error saying so, not a throw', () => {
  assert.match(String(inflateMessage(Buffer.from([0xff, 0xff, 0xff]), 1024)), /does not inflate/);
  assert.ok(inflateMessage(deflateMessage(Buffer.alloc(100_000)), 1000) instanceof Error);
});

test('namesDeflate finds permessage-deflate among extensions, with or without parameters, and nothing else', () => {
  assert.equal(namesDeflate('permessage-deflate'), true);
  assert.equal(namesDeflate('permessage-deflate; client_max_window_bits=15'), true);
  assert.equal(namesDeflate('x-foo, Permessage-Deflate ; server_no_context_takeover'), true);
  assert.equal(namesDeflate('  permessage-deflate  '), true);
  // As agreed in a 101 (RFC 7692 7.1), with parameters and their values.
  assert.equal(namesDeflate('permessage-deflate; server_no_context_takeover; client_max_window_bits=10'), true);
  assert.equal(namesDeflate('PERMESSAGE-DEFLATE;server_max_window_bits=12'), true);
  // An offer with a fallback (RFC 7692 5.1): two offers of the same extension.
  assert.equal(
    namesDeflate('permessage-deflate; client_max_window_bits=10; server_max_window_bits=10, permessage-deflate'),
    true,
  );
  // Only an extension's name counts, not a parameter's name or value, nor a longer name.
  assert.equal(namesDeflate('x-foo; mode=permessage-deflate'), false);
  assert.equal(namesDeflate('x-foo; permessage-deflate'), false);
  assert.equal(namesDeflate('permessage-deflate-v2, x-permessage-deflate'), false);
  assert.equal(namesDeflate('x-webkit-deflate-frame'), false);
  assert.equal(namesDeflate(''), false);
  assert.equal(namesDeflate(undefined), false);
});
