import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * permessage-deflate (RFC 7692), as far as a checking client needs it: what it offers, whether an
 * answer agreed, and one message compressed or inflated at a time. The client resets its context
 * for every message it sends (always allowed, RFC 7692 7.2.1), so one call compresses one message.
 */

/** The offer browsers send, so a gateway is checked with what it meets in the field. */
export const DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';

/** The 4 bytes a sender strips from the end of each compressed message and a receiver adds back (7.2.1). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Whether a `Sec-WebSocket-Extensions` value names permessage-deflate (as an offer or as the agreed extension). */
export function namesDeflate(extensions: string | undefined): boolean {
  if (!extensions) return false;
  return extensions.split(',').some((e) => e.split(';')[0]!.trim().toLowerCase() === 'permessage-deflate');
}

/** A message's payload compressed as one permessage-deflate message (send it with RSV1 on its first frame). */
export function deflateMessage(payload: Buffer): Buffer {
  // The one-shot call's last flush is `finishFlush` (Z_FINISH by default, a final block): a sync
  // flush instead ends the message with an empty stored block, 00 00 ff ff, which is removed.
  return deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -TAIL.length);
}

/**
 * A compressed message's payload inflated, or an Error saying why it cannot be. Without a shared
 * context this reads a server's first compressed message, or any from a server without context
 * takeover; `maxBytes` bounds what a hostile peer can make it allocate.
 */
export function inflateMessage(payload: Buffer, maxBytes: number): Buffer | Error {
  try {
    return inflateRawSync(Buffer.concat([payload, TAIL]), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: maxBytes,
    });
  } catch (err) {
    return new Error(`the compressed message does not inflate: ${(err as Error).message}`);
  }
}
