import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 section 1.3: the GUID appended to the key before hashing. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` a server must send back for `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

export interface KeyPair {
  key: string;
  accept: string;
}

/** A fresh random `Sec-WebSocket-Key` (16 random bytes, base64) and its expected accept value. */
export function newKeyPair(): KeyPair {
  const key = randomBytes(16).toString('base64');
  return { key, accept: acceptFor(key) };
}

/**
 * A ring of pre-computed key/accept pairs so the hot path never hashes. Keys repeat after
 * `size` attempts, which servers accept: the key only has to be a valid nonce per connection.
 */
export class KeyPool {
  private readonly pairs: KeyPair[];
  private next = 0;

  constructor(size = 1024) {
    // One draw of randomness for every key: a draw per key costs a getpid and a lock each (OpenSSL).
    const random = randomBytes(16 * size);
    this.pairs = Array.from({ length: size }, (_, i) => {
      const key = random.toString('base64', 16 * i, 16 * i + 16);
      return { key, accept: acceptFor(key) };
    });
  }

  take(): KeyPair {
    const pair = this.pairs[this.next]!;
    this.next = (this.next + 1) % this.pairs.length;
    return pair;
  }
}
