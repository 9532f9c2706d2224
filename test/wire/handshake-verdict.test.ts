import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeHandshake } from '../../harness/wire/handshake-verdict.ts';
import { parseResponseHead, type ResponseHead } from '../../harness/wire/response-head.ts';

const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

function head(status: string, headers: string[]): ResponseHead {
  const p = parseResponseHead(
    Buffer.from(`HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1'),
  );
  if (p.kind !== 'head') throw new Error(p.kind);
  return p.head;
}

test('a 101 is an upgrade only with Upgrade: websocket, Connection: Upgrade and the right accept', () => {
  const ok = ['Upgrade: WebSocket', 'Connection: keep-alive, Upgrade', `Sec-WebSocket-Accept: ${ACCEPT}`];
  assert.deepEqual(judgeHandshake(head('101 Switching Protocols', ok), ACCEPT), { outcome: 'upgraded' });
  const without = (i: number) => ok.filter((_, k) => k !== i);
  assert.deepEqual(judgeHandshake(head('101 X', without(0)), ACCEPT), {
    outcome: 'protocol_error',
    problem: 'missing Upgrade: websocket',
  });
  assert.deepEqual(judgeHandshake(head('101 X', without(1)), ACCEPT), {
    outcome: 'protocol_error',
    problem: 'missing Connection: Upgrade',
  });
  assert.deepEqual(judgeHandshake(head('101 X', without(2)), ACCEPT), {
    outcome: 'protocol_error',
    problem: 'missing Sec-WebSocket-Accept',
  });
  assert.deepEqual(judgeHandshake(head('101 X', ok), 'c29tZXRoaW5nIGVsc2U='), {
    outcome: 'protocol_error',
    problem: 'wrong Sec-WebSocket-Accept',
  });
});

test('any other status is http_<status>, whatever its headers', () => {
  assert.deepEqual(judgeHandshake(head('401 Unauthorized', ['Upgrade: websocket']), ACCEPT), { outcome: 'http_401' });
  assert.deepEqual(judgeHandshake(head('200 OK', []), ACCEPT), { outcome: 'http_200' });
});
