import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeExpected, describeSeen, expectedOutcomes, expectedStatuses } from '../../harness/outcome/expected.ts';

const plain = { statusMap: new Map<number, number[]>() };
const nginxLike = {
  statusMap: new Map<number, number[]>([
    [400, [500]],
    [500, [500, 503]],
  ]),
};

test('without a statusMap an allow expects 101 and a denial its own status', () => {
  assert.deepEqual(expectedStatuses(plain, 200), [101]);
  assert.deepEqual(expectedStatuses(plain, 401), [401]);
  assert.deepEqual(expectedOutcomes(plain, 200), ['upgraded']);
  assert.deepEqual(expectedOutcomes(plain, 429), ['http_429']);
});

test('a statusMap replaces the expectation of the verdicts it names, and only those', () => {
  assert.deepEqual(expectedOutcomes(nginxLike, 400), ['http_500']);
  assert.deepEqual(expectedOutcomes(nginxLike, 500), ['http_500', 'http_503']);
  assert.deepEqual(expectedOutcomes(nginxLike, 401), ['http_401']);
  assert.deepEqual(expectedOutcomes(nginxLike, 200), ['upgraded']);
});

test('what was expected and seen reads as a sentence', () => {
  assert.equal(describeExpected(['http_500', 'http_503'], 500), 'HTTP 500 or HTTP 503 (auth verdict 500)');
  assert.equal(describeExpected(['upgraded'], 200), '101 upgrade');
  assert.equal(describeSeen('http_401'), 'HTTP 401');
  assert.equal(describeSeen('upgraded'), '101 upgrade (the gateway let it in)');
  assert.equal(describeSeen('reset', 'ECONNRESET'), 'reset (ECONNRESET)');
  assert.equal(describeSeen('handshake_timeout'), 'handshake_timeout');
});
