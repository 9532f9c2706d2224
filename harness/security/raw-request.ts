import { ATTEMPT_HEADER } from '../client/evidence-client.ts';
import { hostHeader, type PlannedCredential, type PlannedTarget, requestPath } from '../plan/plan.ts';
import type { KeyPair } from '../wire/accept.ts';

/** Stands for the attempt's fresh `Sec-WebSocket-Key`, filled in when the bytes are made. */
export const FRESH_KEY = Symbol('fresh Sec-WebSocket-Key');

export type HeaderValue = string | typeof FRESH_KEY;

/**
 * An upgrade request as an editable list, so a bypass variant can say exactly what it changes:
 * request line parts, header names in their case, duplicates, raw CR/LF, a missing key.
 */
export interface RawRequest {
  method: string;
  /** Request target as sent (path and query, or absolute form). */
  target: string;
  /** `HTTP/1.1` or anything a variant wants on the request line. */
  version: string;
  headers: Array<[string, HeaderValue]>;
}

/** Values longer than this are shortened in the request text kept as evidence. */
const SHOWN_VALUE_CHARS = 200;

/**
 * The normal upgrade for `cred` through `target` (what HandshakeRequest sends), with the attempt
 * tag, as a list a variant can edit. `cred` undefined sends no credentials at all.
 */
export function baseRequest(target: PlannedTarget, cred: PlannedCredential | undefined, attemptId: string): RawRequest {
  const headers: Array<[string, HeaderValue]> = [
    ['Host', hostHeader(target)],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (cred?.origin) headers.push(['Origin', cred.origin]);
  if (cred && cred.subprotocols.length > 0) headers.push(['Sec-WebSocket-Protocol', cred.subprotocols.join(', ')]);
  headers.push(
    ...target.headers,
    ...(cred?.headers ?? []),
    [ATTEMPT_HEADER, attemptId],
    ['Sec-WebSocket-Key', FRESH_KEY],
  );
  return { method: 'GET', target: cred ? requestPath(target, cred) : target.path, version: 'HTTP/1.1', headers };
}

/** The bytes of `req` with `pair.key` in place of FRESH_KEY (latin1: CR/LF and high bytes go out as given). */
export function requestBytes(req: RawRequest, pair: KeyPair): Buffer {
  const lines = [`${req.method} ${req.target} ${req.version}`];
  for (const [name, value] of req.headers) lines.push(`${name}: ${value === FRESH_KEY ? pair.key : value}`);
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
}

/**
 * The request as a person reads it in a report: CR, LF and other control bytes inside a line shown
 * escaped (\r, \n, \x00), long
 * values shortened. `mask` runs on each value before shortening, so a cut never leaves part of a
 * secret unmasked.
 */
export function requestText(req: RawRequest, mask: (text: string) => string): string {
  const show = (text: string) => {
    const masked = mask(text);
    const shown = masked.length > SHOWN_VALUE_CHARS ? `${masked.slice(0, 40)}…(${text.length} chars)` : masked;
    return shown
      .replace(/\r/g, '\\r')
      .replace(/\n/g, '\\n')
      .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  };
  const lines = [`${req.method} ${show(req.target)} ${req.version}`];
  for (const [name, value] of req.headers)
    lines.push(`${show(name)}: ${value === FRESH_KEY ? '<fresh key>' : show(value)}`);
  return lines.join('\n');
}
