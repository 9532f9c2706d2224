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

/** The parse of `text` as latin1 bytes: the head's status, or the reason it is invalid, or 'incomplete'. */
function outcome(text: string): number | string {
  const p = parseResponseHead(bytes(text));
  return p.kind === 'head' ? p.head.statusCode : p.kind === 'invalid' ? p.reason : p.kind;
}

test('every three-digit status from 100 to 599 parses, digit by digit; anything else is a malformed code', () => {
  for (const code of [100, 101, 199, 200, 204, 401, 426, 500, 503, 599])
    assert.equal(outcome(`HTTP/1.1 ${code} X\r\n\r\n`), code, `status ${code}`);
  // Digits outside 1-5, 0-9, 0-9, and the characters just below '0' and just above '9'.
  for (const code of ['099', '600', '1/1', '1:1', '10/', '10:', '/00', ':00', '4a1', '42 ', ' 42'])
    assert.equal(outcome(`HTTP/1.1 ${code} X\r\n\r\n`), `malformed status code in "HTTP/1.1 ${code} X"`, code);
});

test('the status line must be HTTP/1.x, one space, then the code; what is shown of a bad one is cut at 60', () => {
  assert.equal(outcome('HTTP/1.0 200 OK\r\n\r\n'), 200);
  assert.equal(outcome('HTTP/2.1 200 OK\r\n\r\n'), 'malformed status line "HTTP/2.1 200 OK"');
  assert.equal(outcome('HTTP/1.1-200 OK\r\n\r\n'), 'malformed status line "HTTP/1.1-200 OK"');
  assert.equal(outcome('\r\n\r\n'), 'malformed status line ""', 'a head that is only its end');
  const long = `HTTP/1.1-200 ${'x'.repeat(100)}`;
  assert.equal(outcome(`${long}\r\n\r\n`), `malformed status line "${long.slice(0, 60)}"`);
  const longCode = `HTTP/1.1 2x0 ${'y'.repeat(100)}`;
  assert.equal(outcome(`${longCode}\r\n\r\n`), `malformed status code in "${longCode.slice(0, 60)}"`);
});

test('before its end a head is incomplete up to exactly the size limit, and refused from five bytes not HTTP/', () => {
  assert.equal(
    outcome(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES - 20)}`.slice(0, MAX_HEAD_BYTES)),
    'incomplete',
  );
  assert.equal(
    outcome(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}`.slice(0, MAX_HEAD_BYTES + 1)),
    `response head longer than ${MAX_HEAD_BYTES} bytes`,
  );
  assert.equal(outcome('SSH-2'), 'response does not start with HTTP/');
  assert.equal(outcome('SSH-'), 'incomplete', 'four bytes cannot tell yet');
  assert.equal(outcome('HTTP/'), 'incomplete');
});

test('header values lose the spaces and tabs around them; an empty name or a long bad line is refused', () => {
  const p = parseResponseHead(
    bytes('HTTP/1.1 101 OK\r\nConnection:\t Upgrade\t \r\nUpgrade: websocket\t\r\nX-Empty: \t \r\nX-None:\r\n\r\n'),
  );
  if (p.kind !== 'head') return assert.fail(p.kind);
  assert.equal(header(p.head, 'connection'), 'Upgrade');
  assert.equal(header(p.head, 'upgrade'), 'websocket');
  assert.equal(header(p.head, 'x-empty'), '');
  assert.equal(header(p.head, 'x-none'), '');
  assert.equal(outcome('HTTP/1.1 200 OK\r\n: no name\r\nA: b\r\n\r\n'), 'malformed header line ": no name"');
  assert.equal(outcome('HTTP/1.1 200 OK\r\nshort\r\nA: b\r\n\r\n'), 'malformed header line "short"');
  const long = `X-${'z'.repeat(100)}`;
  assert.equal(outcome(`HTTP/1.1 200 OK\r\n${long}\r\n\r\n`), `malformed header line "${long.slice(0, 60)}"`);
});

test('a header token must be a whole list element: an exact-match or substring rule fails here', () => {
  const p = parseResponseHead(
    bytes('HTTP/1.1 101 OK\r\nConnection: Keep-Alive ,\tUpgrade\r\nUpgrade: h2c\r\nUpgrade: WebSocket\r\n\r\n'),
  );
  if (p.kind !== 'head') return assert.fail(p.kind);
  assert.equal(headerHasToken(p.head, 'connection', 'upgrade'), true, 'second element, around spaces and a tab');
  assert.equal(headerHasToken(p.head, 'connection', 'keep-alive'), true);
  assert.equal(headerHasToken(p.head, 'upgrade', 'websocket'), true, 'in the second Upgrade header');
  assert.equal(headerHasToken(p.head, 'connection', 'keep'), false);
});
