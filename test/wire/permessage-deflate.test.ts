import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { deflateMessage, inflateMessage, namesDeflate } from '../../harness/wire/permessage-deflate.ts';

test('a compressed message drops the 00 00 ff ff tail (RFC 7692 7.2.1) and inflates back byte-exact', () => {
  for (const text of ['', 'a', 'wsgate '.repeat(500), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251))]) {
    const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
    const c = deflateMessage(payload);
    assert.notDeepEqual([...c.subarray(-4)], [0x00, 0x00, 0xff, 0xff]);
    const back = inflateMessage(c, 1 << 20);
    assert.ok(Buffer.isBuffer(back) && back.equals(payload), `${payload.length} bytes`);
  }
  // Any inflater reading with the tail added back agrees (what a server does).
  const payload = Buffer.from('hello hello hello hello');
  assert.ok(inflateRawSync(Buffer.concat([deflateMessage(payload), Buffer.from([0, 0, 0xff, 0xff])])).equals(payload));
});

test('a payload that does not inflate, or inflates past the bound, is an Error saying so, not a throw', () => {
  assert.match(String(inflateMessage(Buffer.from([0xff, 0xff, 0xff]), 1024)), /does not inflate/);
  assert.ok(inflateMessage(deflateMessage(Buffer.alloc(100_000)), 1000) instanceof Error);
});

test('namesDeflate finds permessage-deflate among extensions, with or without parameters, and nothing else', () => {
  assert.equal(namesDeflate('permessage-deflate'), true);
  assert.equal(namesDeflate('permessage-deflate; client_max_window_bits=15'), true);
  assert.equal(namesDeflate('x-foo, Permessage-Deflate ; server_no_context_takeover'), true);
  assert.equal(namesDeflate('x-webkit-deflate-frame'), false);
  assert.equal(namesDeflate(''), false);
  assert.equal(namesDeflate(undefined), false);
});
