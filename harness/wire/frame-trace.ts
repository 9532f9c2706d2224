import type { TraceFrame } from '../model/trace.ts';

const OPCODES: Record<number, string> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};
const PREVIEW_BYTES = 64;

/**
 * Describe the frames at the start of `buf`, in either direction, for a wire trace: unlike the
 * parsers that act on frames, it never rejects (a masked server frame or reserved bits are shown as
 * they are) and unmasks client payloads only for the preview. Returns the frames found and how many
 * bytes they take. A frame is described as soon as its header and preview are there, so `used` may
 * pass the end of `buf` (the rest of a large frame's payload, for the caller to skip); a frame whose
 * header or preview is not all there yet is left for the next call.
 */
export function describeFrames(
  buf: Buffer,
  dir: TraceFrame['dir'],
  atMs: number,
): { frames: TraceFrame[]; used: number } {
  const frames: TraceFrame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const masked = (b1 & 0x80) !== 0;
    let len = b1 & 0x7f;
    let p = at + 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      p = at + 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      p = at + 10;
    }
    const maskAt = p;
    if (masked) p += 4;
    if (buf.length < p + Math.min(len, PREVIEW_BYTES)) break;
    const shown = Buffer.from(buf.subarray(p, p + Math.min(len, PREVIEW_BYTES)));
    if (masked) for (let i = 0; i < shown.length; i++) shown[i]! ^= buf[maskAt + (i % 4)]!;
    const opcode = b0 & 0x0f;
    frames.push({
      dir,
      atMs,
      opcode: OPCODES[opcode] ?? `0x${opcode.toString(16)}`,
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 0x07,
      masked,
      length: len,
      preview: preview(opcode, shown, len),
    });
    at = p + len;
    if (at > buf.length) break;
  }
  return { frames, used: at };
}

function preview(opcode: number, bytes: Buffer, length: number): string {
  if (opcode === 0x8) {
    if (bytes.length < 2) return 'no code (1005)';
    return `code ${bytes.readUInt16BE(0)}${bytes.length > 2 ? ` "${printable(bytes.subarray(2))}"` : ''}`;
  }
  const text = opcode === 0x2 ? bytes.toString('hex') : printable(bytes);
  return length > bytes.length ? `${text}…` : text;
}

function printable(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/[\x00-\x1f\x7f]/g, '.');
}
