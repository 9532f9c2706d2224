import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeOfClose, outcomeOfError, outcomeOfTimeout } from '../../harness/outcome/classify.ts';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

test('socket errors map to their own outcomes: the client running out is not the target failing', () => {
  const table: Array<[string, 'connect' | 'tls' | 'handshake', string]> = [
    ['EADDRNOTAVAIL', 'connect', 'port_exhausted'],
    ['EADDRINUSE', 'connect', 'port_exhausted'],
    ['EMFILE', 'connect', 'fd_exhausted'],
    ['ENFILE', 'handshake', 'fd_exhausted'],
    ['ENOTFOUND', 'connect', 'dns_error'],
    ['EAI_AGAIN', 'connect', 'dns_error'],
    ['ECONNREFUSED', 'connect', 'refused'],
    ['ECONNRESET', 'connect', 'refused'],
    ['ECONNRESET', 'handshake', 'reset'],
    ['EPIPE', 'tls', 'reset'],
    ['ETIMEDOUT', 'connect', 'connect_timeout'],
    ['ETIMEDOUT', 'handshake', 'handshake_timeout'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake', 'tls_error'],
    ['EWHATEVER', 'tls', 'tls_error'],
    ['EWHATEVER', 'connect', 'refused'],
    ['EWHATEVER', 'handshake', 'reset'],
  ];
  for (const [code, step, outcome] of table)
    assert.equal(outcomeOfError(err(code), step), outcome, `${code} in ${step}`);
  assert.equal(outcomeOfError(err('EPROTO', 'unable to verify the first certificate'), 'handshake'), 'tls_error');
});

test('a refusal is refused and a reset a reset in every step; an OpenSSL code is a TLS error whatever it says', () => {
  for (const step of ['connect', 'tls', 'handshake'] as const)
    assert.equal(outcomeOfError(err('ECONNREFUSED'), step), 'refused', `ECONNREFUSED in ${step}`);
  assert.equal(outcomeOfError(err('ECONNRESET'), 'tls'), 'reset');
  assert.equal(outcomeOfError(err('EPIPE'), 'connect'), 'refused');
  // The code alone decides, even when the message names no TLS, SSL or certificate.
  assert.equal(outcomeOfError(err('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), 'handshake'), 'tls_error');
  assert.equal(outcomeOfError(err('EXSSL_ERR_SSL', 'wrong version number'), 'handshake'), 'reset');
  // An error without a code: its message decides, else the step.
  const bare = (message: string) => new Error(message) as NodeJS.ErrnoException;
  assert.equal(outcomeOfError(bare('socket hang up'), 'handshake'), 'reset');
  assert.equal(outcomeOfError(bare('socket hang up'), 'connect'), 'refused');
  assert.equal(
    outcomeOfError(bare('Client network socket disconnected before secure TLS connection'), 'handshake'),
    'tls_error',
  );
});

test(
  'a close with no error: refused before connect, tls_error in TLS, protocol_error inside a head, else ' +
    'closed_before_response',
  () => {
    assert.equal(outcomeOfClose('connect', false), 'refused');
    assert.equal(outcomeOfClose('tls', false), 'tls_error');
    assert.equal(outcomeOfClose('handshake', true), 'protocol_error');
    assert.equal(outcomeOfClose('handshake', false), 'closed_before_response');
  },
);

test('a timeout before the connection is connect_timeout, after it handshake_timeout', () => {
  assert.equal(outcomeOfTimeout('connect'), 'connect_timeout');
  assert.equal(outcomeOfTimeout('tls'), 'handshake_timeout');
  assert.equal(outcomeOfTimeout('handshake'), 'handshake_timeout');
});
