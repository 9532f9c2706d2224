import type { KeyPair } from './accept.ts';

export interface HandshakeRequestSpec {
  /** Path and query, already encoded, e.g. `/echo?apikey=...`. */
  path: string;
  /** Host header value (host[:port]). */
  host: string;
  /** Extra headers in the order they are sent; names keep their case. Repeated names allowed. */
  headers: Array<[string, string]>;
  subprotocols?: string[];
  origin?: string;
}

/**
 * The upgrade request, turned into bytes once (the autocannon approach): everything but the
 * `Sec-WebSocket-Key` value is fixed, so the hot path copies two buffers around the key.
 */
export class HandshakeRequest {
  private readonly head: Buffer;
  private readonly tail: Buffer;

  constructor(spec: HandshakeRequestSpec) {
    const lines = [
      `GET ${spec.path} HTTP/1.1`,
      `Host: ${spec.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
    ];
    if (spec.origin) lines.push(`Origin: ${spec.origin}`);
    if (spec.subprotocols && spec.subprotocols.length > 0) {
      lines.push(`Sec-WebSocket-Protocol: ${spec.subprotocols.join(', ')}`);
    }
    for (const [name, value] of spec.headers) lines.push(`${name}: ${value}`);
    this.head = Buffer.from(lines.join('\r\n') + '\r\nSec-WebSocket-Key: ', 'latin1');
    this.tail = Buffer.from('\r\n\r\n', 'latin1');
  }

  /** The full request for one attempt with this key. */
  bytes(pair: KeyPair): Buffer {
    return Buffer.concat([this.head, Buffer.from(pair.key, 'latin1'), this.tail]);
  }
}
