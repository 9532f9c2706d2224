import { randomFillSync } from 'node:crypto';

/** RFC 6455 5.2 opcodes. */
export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

const FIN = 0x80;
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

/** A client-to-server frame (always masked, RFC 6455 5.3) with FIN set. */
export function encodeClientFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const extra = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extra + 4 + len);
  frame[0] = FIN | opcode;
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

/** A close frame with `code` (and no reason). */
export function encodeClose(code = 1000): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return encodeClientFrame(OP_CLOSE, payload);
}

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export type FrameParse =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'frame'; frame: Frame; length: number };

/**
 * Read one server-to-client frame from the start of `buf`. Server frames must not be masked
 * (RFC 6455 5.1); a masked one is a protocol error.
 */
export function parseServerFrame(buf: Buffer, maxPayload = 16 * 1024 * 1024): FrameParse {
  if (buf.length < 2) return { kind: 'incomplete' };
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b1 & MASK_BIT) return { kind: 'invalid', reason: 'server frame is masked' };
  if (b0 & 0x70) return { kind: 'invalid', reason: 'reserved bits set without a negotiated extension' };
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
    frame: { fin: (b0 & FIN) !== 0, opcode: b0 & 0x0f, payload: buf.subarray(at, at + len) },
    length: at + len,
  };
}
