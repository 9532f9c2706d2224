import assert from 'node:assert/strict';
import { test } from 'node:test';
import { header, headerHasToken, MAX_HEAD_BYTES, parseResponseHead } from '../../harness/wire/response-head.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

test('a 101 head parses into version, status, reason, lower-cased headers and its length', () => {
  const text =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection:  Upgrade \r\nSet-Cookie: ' +
    'a=1\r\nset-cookie: b=2\r\n\r\n';
  const p = parseResponseHead(bytes(`${text}\x81\x00`));
  assert.equal(p.kind, 'head');
  if (p.kind !== 'head') return;
  assert.equal(p.head.httpVersion, '1.1');
  assert.equal(p.head.statusCode, 101);
  assert.equal(p.head.reason, 'Switching Protocols');
  assert.equal(p.head.length, text.length, 'the frame after the head is not part of it');
  assert.equal(header(p.head, 'connection'), 'Upgrade', 'value trimmed');
  assert.deepEqual(p.head.headers.get('set-cookie'), ['a=1', 'b=2']);
});

test('a head split anywhere is incomplete until its last byte arrives', () => {
  const text = 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n';
  for (let cut = 0; cut < text.length; cut++) {
    assert.deepEqual(parseResponseHead(bytes(text.slice(0, cut))), { kind: 'incomplete' }, `cut at ${cut}`);
  }
  assert.equal(parseResponseHead(bytes(text)).kind, 'head');
});

test('what is not an HTTP/1.x head is invalid, with the reason', () => {
  const reason = (text: string) => {
    const p = parseResponseHead(bytes(text));
    return p.kind === 'invalid' ? p.reason : p.kind;
  };
  assert.equal(reason('SSH-2.0-OpenSSH\r\n'), 'response does not start with HTTP/');
  assert.match(reason('HTTP/2 200 OK\r\n\r\n'), /malformed status line/);
  assert.match(reason('HTTP/1.1 6xx Odd\r\n\r\n'), /malformed status code/);
  assert.match(reason('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'), /malformed header line/);
  assert.equal(reason('HTTP/1.1 200 OK\r\nA: b\rC: d\r\n\r\n'), 'bare CR in response head');
  assert.equal(
    reason(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`),
    `response head longer than ${MAX_HEAD_BYTES} bytes`,
  );
});

test('a header token is found in a comma-separated list, case-insensitively, and not as a substring', () => {
  const p = parseResponseHead(
    bytes('HTTP/1.1 101 OK\r\nConnection: keep-alive, UPGRADE\r\nUpgrade: websocketx\r\n\r\n'),
  );
  if (p.kind !== 'head') return assert.fail(p.kind);
  assert.equal(headerHasToken(p.head, 'connection', 'upgrade'), true);
  assert.equal(headerHasToken(p.head, 'connection', 'close'), false);
  assert.equal(headerHasToken(p.head, 'upgrade', 'websocket'), false);
  assert.equal(headerHasToken(p.head, 'x-missing', 'a'), false);
});
