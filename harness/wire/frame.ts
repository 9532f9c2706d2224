import { randomFillSync } from 'node:crypto';

/** RFC 6455 5.2 opcodes. */
export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

const FIN = 0x80;
/** RSV1: set on the first frame of a compressed message (RFC 7692). */
const RSV1 = 0x40;
const MASK_BIT = 0x80;

/** Masks for client frames, drawn in bulk so a frame costs no syscall for randomness. */
const maskPool = Buffer.alloc(4096);
let maskPos = maskPool.length;

function nextMask(): Buffer {
  if (maskPos + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskPos = 0;
  }
  const mask = maskPool.subarray(maskPos, maskPos + 4);
  maskPos += 4;
  return mask;
}

/** How a client frame is flagged; the default is a whole, uncompressed frame. */
export interface FrameFlags {
  /** FIN: the last frame of its message (default true); false for every fragment but the last. */
  fin?: boolean;
  /** RSV1: the message is compressed (permessage-deflate, first frame only). */
  rsv1?: boolean;
}

/** A client-to-server frame (always masked, RFC 6455 5.3), FIN set unless `flags` says otherwise. */
export function encodeClientFrame(opcode: number, payload: Buffer, flags?: FrameFlags): Buffer {
  const len = payload.length;
  const extra = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extra + 4 + len);
  frame[0] = (flags?.fin === false ? 0 : FIN) | (flags?.rsv1 ? RSV1 : 0) | opcode;
  if (extra === 0) frame[1] = MASK_BIT | len;
  else if (extra === 2) {
    frame[1] = MASK_BIT | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = MASK_BIT | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = nextMask();
  const maskAt = 2 + extra;
  mask.copy(frame, maskAt);
  const dataAt = maskAt + 4;
  for (let i = 0; i < len; i++) frame[dataAt + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/** A client close frame with `code` and an optional UTF-8 `reason` (at most 123 bytes, RFC 6455 5.5). */
export function encodeClose(code = 1000, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return encodeClientFrame(OP_CLOSE, payload);
}

/** What a close frame's payload says: no payload is 1005 ("no status"), RFC 6455 7.1.5. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** Why the payload is not a valid close payload (one byte, bad UTF-8, a code never sent on the wire). */
  problem?: string;
}

/** The code and reason of a close frame's payload. */
export function parseClose(payload: Buffer): CloseInfo {
  if (payload.length === 0) return { code: 1005, reason: '' };
  if (payload.length === 1) return { code: 1005, reason: '', problem: 'a close payload of one byte' };
  const code = payload.readUInt16BE(0);
  const bytes = payload.subarray(2);
  const reason = bytes.toString('utf8');
  if (!Buffer.from(reason, 'utf8').equals(bytes)) return { code, reason, problem: 'a close reason that is not UTF-8' };
  if (!closeCodeMaySend(code)) return { code, reason, problem: `close code ${code} must never be sent` };
  return { code, reason };
}

/** RFC 6455 7.4: the codes an endpoint may put in a close frame (1005, 1006 and 1015 only describe one). */
export function closeCodeMaySend(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

export interface Frame {
  fin: boolean;
  /** RSV1, allowed only when parsing with `rsv1Allowed` (permessage-deflate was agreed). */
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

export type FrameParse =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'frame'; frame: Frame; length: number };

/**
 * Read one server-to-client frame from the start of `buf`. Server frames must not be masked
 * (RFC 6455 5.1); a masked one is a protocol error, and so is a reserved bit, but for RSV1 when
 * `rsv1Allowed` (permessage-deflate was agreed).
 */
export function parseServerFrame(buf: Buffer, maxPayload = 16 * 1024 * 1024, rsv1Allowed = false): FrameParse {
  if (buf.length < 2) return { kind: 'incomplete' };
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b1 & MASK_BIT) return { kind: 'invalid', reason: 'server frame is masked' };
  if (b0 & (rsv1Allowed ? 0x30 : 0x70))
    return { kind: 'invalid', reason: 'reserved bits set without a negotiated extension' };
  let len = b1 & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return { kind: 'incomplete' };
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return { kind: 'incomplete' };
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(maxPayload)) return { kind: 'invalid', reason: `frame of ${big} bytes exceeds ${maxPayload}` };
    len = Number(big);
    at = 10;
  }
  if (len > maxPayload) return { kind: 'invalid', reason: `frame of ${len} bytes exceeds ${maxPayload}` };
  if (buf.length < at + len) return { kind: 'incomplete' };
  return {
    kind: 'frame',
    frame: { fin: (b0 & FIN) !== 0, rsv1: (b0 & RSV1) !== 0, opcode: b0 & 0x0f, payload: buf.subarray(at, at + len) },
    length: at + len,
  };
}
