import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HandshakeRequest } from '../../harness/wire/handshake-request.ts';

const pair = { key: 'dGhlIHNhbXBsZSBub25jZQ==', accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' };

test('the upgrade request is the exact RFC 6455 head with the extra headers in order and the key last', () => {
  const req = new HandshakeRequest({
    path: '/orders/ws?tenant=eu',
    host: 'gw.example:8443',
    headers: [
      ['X-IBM-Client-Id', 'app'],
      ['X-Dup', '1'],
      ['X-Dup', '2'],
    ],
    subprotocols: ['orders.v2', 'orders.v1'],
    origin: 'https://app.example',
  });
  assert.equal(
    req.bytes(pair).toString('latin1'),
    'GET /orders/ws?tenant=eu HTTP/1.1\r\nHost: gw.example:8443\r\nUpgrade: websocket\r\nConnection: ' +
      'Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      'Origin: https://app.example\r\nSec-WebSocket-Protocol: orders.v2, orders.v1\r\nX-IBM-Client-Id: ' +
      'app\r\nX-Dup: 1\r\nX-Dup: 2\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
});

test('without origin or subprotocols those headers are absent; only the key differs between attempts', () => {
  const req = new HandshakeRequest({ path: '/', host: 'h', headers: [] });
  const a = req.bytes(pair).toString('latin1');
  const b = req.bytes({ key: 'AAAAAAAAAAAAAAAAAAAAAA==', accept: '' }).toString('latin1');
  assert.doesNotMatch(a, /Origin|Sec-WebSocket-Protocol/);
  assert.equal(a.replace(pair.key, 'K'), b.replace('AAAAAAAAAAAAAAAAAAAAAA==', 'K'));
});

test('an empty subprotocol list sends no Sec-WebSocket-Protocol header; header values go out as latin1 bytes', () => {
  const req = new HandshakeRequest({ path: '/', host: 'h', headers: [['X-Name', 'Zoë']], subprotocols: [] });
  const bytes = req.bytes(pair);
  assert.doesNotMatch(bytes.toString('latin1'), /Sec-WebSocket-Protocol/);
  // ë is one byte, 0xEB, in an HTTP/1.1 field value (obs-text), not UTF-8's two.
  assert.ok(bytes.includes(Buffer.from([0x5a, 0x6f, 0xeb, 0x0d, 0x0a])), bytes.toString('hex'));
  assert.ok(bytes.toString('latin1').endsWith(`\r\nSec-WebSocket-Key: ${pair.key}\r\n\r\n`));
});
