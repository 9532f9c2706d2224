/** Where a response head ends: the first CRLFCRLF. */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CR = 0x0d; /* '\r' */
const LF = 0x0a; /* '\n' */
const COLON = 0x3a; /* ':' */
const SPACE = 0x20; /* ' ' */
const TAB = 0x09; /* '\t' */

/** The most a response head may take before the attempt is called a protocol error. */
export const MAX_HEAD_BYTES = 16 * 1024;

export interface ResponseHead {
  httpVersion: string;
  statusCode: number;
  reason: string;
  /** Lower-cased header names; repeated headers keep every value in order. */
  headers: Map<string, string[]>;
  /** Bytes taken by the head including the final CRLFCRLF; what follows is body or frames. */
  length: number;
}

export type HeadParse =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'head'; head: ResponseHead };

/**
 * Parse an HTTP/1.x response head from the bytes received so far. Returns `incomplete` until
 * CRLFCRLF arrives. Only what a handshake needs is checked: status line shape and header syntax.
 */
export function parseResponseHead(buf: Buffer): HeadParse {
  const end = buf.indexOf(HEAD_END);
  if (end < 0) {
    if (buf.length > MAX_HEAD_BYTES)
      return { kind: 'invalid', reason: `response head longer than ${MAX_HEAD_BYTES} bytes` };
    if (buf.length >= 5 && buf.toString('latin1', 0, 5) !== 'HTTP/')
      return { kind: 'invalid', reason: 'response does not start with HTTP/' };
    return { kind: 'incomplete' };
  }
  const lineEnd = buf.indexOf(CR);
  const statusLine = buf.toString('latin1', 0, lineEnd);
  // "HTTP/1.1 101 Switching Protocols": version, one space, three digits, optional reason.
  if (!statusLine.startsWith('HTTP/1.') || statusLine.charCodeAt(8) !== SPACE) {
    return { kind: 'invalid', reason: `malformed status line "${statusLine.slice(0, 60)}"` };
  }
  const d0 = statusLine.charCodeAt(9) - 48;
  const d1 = statusLine.charCodeAt(10) - 48;
  const d2 = statusLine.charCodeAt(11) - 48;
  if (!(d0 >= 1 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) {
    return { kind: 'invalid', reason: `malformed status code in "${statusLine.slice(0, 60)}"` };
  }
  const headers = new Map<string, string[]>();
  let pos = lineEnd + 2;
  while (pos < end) {
    let eol = buf.indexOf(CR, pos);
    if (eol < 0 || eol > end) eol = end;
    if (buf[eol + 1] !== LF) return { kind: 'invalid', reason: 'bare CR in response head' };
    let colon = -1;
    for (let i = pos; i < eol; i++) {
      if (buf[i] === COLON) {
        colon = i;
        break;
      }
    }
    if (colon <= pos)
      return {
        kind: 'invalid',
        reason: `malformed header line "${buf.toString('latin1', pos, Math.min(eol, pos + 60))}"`,
      };
    let vStart = colon + 1;
    while (vStart < eol && (buf[vStart] === SPACE || buf[vStart] === TAB)) vStart++;
    let vEnd = eol;
    while (vEnd > vStart && (buf[vEnd - 1] === SPACE || buf[vEnd - 1] === TAB)) vEnd--;
    const name = buf.toString('latin1', pos, colon).toLowerCase();
    const value = buf.toString('latin1', vStart, vEnd);
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
    pos = eol + 2;
  }
  return {
    kind: 'head',
    head: {
      httpVersion: statusLine.slice(5, 8),
      statusCode: d0 * 100 + d1 * 10 + d2,
      reason: statusLine.slice(13),
      headers,
      length: end + 4,
    },
  };
}

/** First value of a header, or undefined. */
export function header(head: ResponseHead, name: string): string | undefined {
  return head.headers.get(name)?.[0];
}

/** Whether a comma-separated header (Connection, Upgrade) contains `token`, case-insensitively. */
export function headerHasToken(head: ResponseHead, name: string, token: string): boolean {
  const values = head.headers.get(name);
  if (!values) return false;
  const want = token.toLowerCase();
  for (const v of values) {
    for (const part of v.split(',')) if (part.trim().toLowerCase() === want) return true;
  }
  return false;
}
