import type { Verdict } from './auth.ts';
import type { Outcome } from './outcome.ts';
import type { TraceFrame } from './trace.ts';

/**
 * After the 101: what a session through the gateway does with messages, pings, closes and
 * negotiation, what the backend and the auth service were sent, and whether WebSockets over
 * HTTP/2 get the same verdicts. Each check is a named result with what was expected, what was
 * observed and the evidence (frames, close codes, headers, the backend's and the auth service's
 * record). `summary.session`.
 */

/** Every session check, in run order, with the one line a report shows for it. */
export const SESSION_CHECKS = {
  handshake: 'The 101 carries Upgrade: websocket, Connection: upgrade and the right Sec-WebSocket-Accept',
  'messages.text': 'A UTF-8 text message comes back byte-exact, as text',
  'messages.binary': 'A binary message of every byte value comes back byte-exact, as binary',
  'messages.empty': 'An empty message comes back empty',
  'messages.fragmented': 'A message sent in fragments comes back whole and byte-exact',
  'messages.sizes': 'Messages of growing size (1 KiB up to the maximum) come back intact',
  'ping.client': "The client's ping gets a pong with the same payload",
  'ping.backend': "The backend's ping reaches the client, and the client's pong reaches the backend",
  'close.client': "The client's close code and reason reach the backend unchanged",
  'close.backend': "The backend's close code and reason reach the client unchanged",
  'close.backend-death': 'A backend that dies mid-session ends the client session with a close frame or a reset',
  'negotiation.subprotocol': 'The client is given the subprotocol the backend chose',
  'negotiation.no-subprotocol': 'Without an offer, the 101 names no subprotocol',
  'negotiation.empty-subprotocol': 'An empty Sec-WebSocket-Protocol gets no subprotocol',
  'negotiation.deflate': 'permessage-deflate is agreed with the client exactly when the backend agreed to it',
  'backend.forwarded': 'The backend sees X-Forwarded-For or Forwarded as the scenario expects',
  'backend.origin': 'The backend sees the Origin the client sent, unchanged',
  'auth.hop-by-hop': 'The auth service gets a plain request: no Upgrade, Connection: upgrade or Sec-WebSocket-*',
  'http2.verdict': 'Over HTTP/2 (RFC 8441 extended CONNECT) the set gets the same verdict as over HTTP/1.1',
} as const;

export type SessionCheckId = keyof typeof SESSION_CHECKS;
export const SESSION_CHECK_IDS = Object.keys(SESSION_CHECKS) as SessionCheckId[];
/** Families a scenario may name instead of single checks (`messages` for every `messages.*`). */
export const SESSION_FAMILIES = ['handshake', 'messages', 'ping', 'close', 'negotiation', 'backend', 'auth', 'http2'];

export function sessionFamilyOf(id: SessionCheckId): string {
  return id.split('.')[0]!;
}

/** pass: as expected · fail: not · not_applicable: cannot be judged here (the reason says why). */
export type SessionVerdict = 'pass' | 'fail' | 'not_applicable';

/** One size of `messages.sizes`: what came back, or what happened instead. */
export interface SizeStep {
  bytes: number;
  result: 'intact' | 'truncated' | 'changed' | 'closed' | 'ended' | 'no_echo';
  /** What was seen, e.g. `came back as 100 of 1048576 bytes` or `close 1009 "Message Too Big"`. */
  detail: string;
  /** Round trip (ms) when it came back. */
  ms?: number;
  /** What the backend recorded for this message, when it has a record: its size and whether the digest matched. */
  backend?: { bytes: number; intact: boolean };
}

/** What a check saw: only what it needs, all of it as observed. */
export interface SessionEvidence {
  /** The X-Wsgate-Attempt of each connection the check used. */
  attempts: string[];
  /** The frames of the check, both ways, as they went over the wire (payload starts only). */
  frames?: TraceFrame[];
  /** A close frame seen or sent, and who sent it. */
  close?: { from: 'client' | 'server' | 'backend'; code: number; reason: string };
  /** How the connection ended, when that is the point (TCP reset, FIN, nothing). */
  ended?: string;
  /** Headers of the 101 (or the HTTP/2 response) that bear on the check. */
  headers?: Record<string, string>;
  /** What the backend recorded of the session: chosen protocol and extensions, closes, pings, how it ended. */
  backend?: Record<string, unknown>;
  /** What the auth service was sent: every header name, and the values of those that should not be there. */
  auth?: { headerNames: string[]; unwanted: Record<string, string> };
  /** `messages.sizes`: each size tried, in order. */
  sizes?: SizeStep[];
}

export interface SessionCheckResult {
  id: SessionCheckId;
  title: string;
  verdict: SessionVerdict;
  /** What a sound gateway does, in a sentence. */
  expected: string;
  /** What happened, in a sentence. */
  observed: string;
  /** Why it failed or could not be judged; empty for a pass. */
  reasons: string[];
  evidence: SessionEvidence;
  durationMs: number;
}

/** The session checks of one target x credential set. */
export interface SessionResult {
  target: string;
  credential: string;
  /** The set's intended auth verdict: sets expecting 200 get every check, the others only `http2.verdict`. */
  verdict: Verdict;
  checks: SessionCheckResult[];
  passed: number;
  failed: number;
  notApplicable: number;
  /** `messages.sizes`: the largest message that came back intact (bytes), when the ladder ran. */
  largestIntactBytes?: number;
  /** `http2.verdict`: what the set saw over HTTP/1.1 rules and over HTTP/2. */
  http2?: { url: string; expected: Outcome[]; seen?: Outcome };
}

/** `summary.session`. */
export interface SessionSummary {
  results: SessionResult[];
  passed: number;
  failed: number;
  notApplicable: number;
}
