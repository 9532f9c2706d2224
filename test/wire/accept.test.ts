import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptFor, KeyPool, newKeyPair } from '../../harness/wire/accept.ts';
import { rfcAccept } from '../outcome/cases.ts';

test('the accept value of the RFC 6455 section 1.3 example key', () => {
  assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('a fresh key is 16 random bytes in base64, with its own accept value', () => {
  const a = newKeyPair();
  const b = newKeyPair();
  assert.equal(Buffer.from(a.key, 'base64').length, 16);
  assert.match(a.key, /^[A-Za-z0-9+/]{22}==$/);
  assert.notEqual(a.key, b.key);
  // The accept value of the fresh key, by RFC 6455 4.2.2 written out here, not by acceptFor.
  assert.equal(a.accept, rfcAccept(a.key));
  assert.equal(b.accept, rfcAccept(b.key));
});

test('a key pool hands out its pairs in turn and starts over after the last', () => {
  const pool = new KeyPool(3);
  const first = [pool.take(), pool.take(), pool.take()];
  assert.equal(new Set(first.map((p) => p.key)).size, 3);
  for (const p of first) {
    // Each key its own 16 bytes of the one draw (RFC 6455 4.1), with the accept value of that key.
    assert.match(p.key, /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(Buffer.from(p.key, 'base64').length, 16);
    assert.equal(p.accept, acceptFor(p.key));
  }
  assert.equal(pool.take(), first[0]);
  assert.equal(pool.take(), first[1]);
});
