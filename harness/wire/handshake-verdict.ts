import { httpOutcome, type Outcome } from '../model/outcome.ts';
import { header, headerHasToken, type ResponseHead } from './response-head.ts';

export interface HandshakeVerdict {
  outcome: Outcome;
  /** Why a 101 was not accepted as an upgrade; absent when it was. */
  problem?: string;
}

/**
 * Classify a complete response head for an upgrade request with `expectedAccept`.
 * RFC 6455 4.1: a 101 counts only with `Upgrade: websocket`, `Connection: Upgrade` and the right
 * `Sec-WebSocket-Accept`; anything else after a 101 is a protocol error, not an upgrade.
 */
export function judgeHandshake(head: ResponseHead, expectedAccept: string): HandshakeVerdict {
  if (head.statusCode !== 101) return { outcome: httpOutcome(head.statusCode) };
  const accept = header(head, 'sec-websocket-accept');
  if (accept !== expectedAccept) {
    return {
      outcome: 'protocol_error',
      problem: accept === undefined ? 'missing Sec-WebSocket-Accept' : 'wrong Sec-WebSocket-Accept',
    };
  }
  if (!headerHasToken(head, 'upgrade', 'websocket'))
    return { outcome: 'protocol_error', problem: 'missing Upgrade: websocket' };
  if (!headerHasToken(head, 'connection', 'upgrade'))
    return { outcome: 'protocol_error', problem: 'missing Connection: Upgrade' };
  return { outcome: 'upgraded' };
}
