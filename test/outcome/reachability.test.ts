import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isGeneratorLimit,
  isNetworkFailure,
  saysUnreachable,
  targetUnreachable,
} from '../../harness/outcome/reachability.ts';

test('no TCP connection says unreachable under either policy; a TLS failure only where TLS is not an answer', () => {
  for (const o of ['refused', 'connect_timeout', 'dns_error'] as const) {
    assert.equal(saysUnreachable(o, 'tls-is-unreachable'), true, o);
    assert.equal(saysUnreachable(o, 'tls-is-an-answer'), true, o);
  }
  assert.equal(saysUnreachable('tls_error', 'tls-is-unreachable'), true);
  assert.equal(saysUnreachable('tls_error', 'tls-is-an-answer'), false);
  for (const o of [
    'upgraded',
    'http_401',
    'reset',
    'handshake_timeout',
    'closed_before_response',
    'protocol_error',
  ] as const) {
    assert.equal(saysUnreachable(o, 'tls-is-unreachable'), false, o);
  }
});

test('a target is unreachable only when it had attempts and every one says so', () => {
  assert.equal(targetUnreachable([], 'tls-is-unreachable'), false);
  assert.equal(targetUnreachable(['refused', 'connect_timeout'], 'tls-is-unreachable'), true);
  assert.equal(targetUnreachable(['refused', 'http_401'], 'tls-is-unreachable'), false);
  assert.equal(targetUnreachable(['tls_error', 'refused'], 'tls-is-an-answer'), false);
});

test(
  'under load every failure without an HTTP answer counts towards a dead target; a protocol error ' + 'is an answer',
  () => {
    for (const o of [
      'refused',
      'reset',
      'connect_timeout',
      'handshake_timeout',
      'closed_before_response',
      'tls_error',
      'port_exhausted',
    ] as const) {
      assert.equal(isNetworkFailure(o), true, o);
    }
    for (const o of ['upgraded', 'http_401', 'http_500', 'protocol_error'] as const)
      assert.equal(isNetworkFailure(o), false, o);
  },
);

test("the generator's own limits are its descriptors and its ports, nothing the target did", () => {
  assert.equal(isGeneratorLimit('fd_exhausted'), true);
  assert.equal(isGeneratorLimit('port_exhausted'), true);
  for (const o of ['refused', 'reset', 'connect_timeout', 'handshake_timeout', 'http_500', 'upgraded'] as const)
    assert.equal(isGeneratorLimit(o), false, o);
});
