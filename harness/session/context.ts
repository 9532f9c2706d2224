import type { AuthRecord } from '../client/auth-record.ts';
import { type BackendEntry, type BackendRecord, headerText } from '../client/backend-record.ts';
import { upgradeWithEvidence } from '../client/evidence-client.ts';
import { WireTap } from '../client/wire-tap.ts';
import { WsSession } from '../client/ws-session.ts';
import type { Evidence } from '../model/conformance.ts';
import type { SessionEvidence, SessionVerdict } from '../model/session.ts';
import type { TraceFrame } from '../model/trace.ts';
import type { PlannedCredential, PlannedTarget } from '../plan/plan.ts';
import type { TargetSessionPlan } from '../plan/session.ts';
import { namesDeflate } from '../wire/permessage-deflate.ts';

/** Frames listed per session connection: enough for every check that shares one. */
const FRAMES_PER_CONNECTION = 96;
/** How often a record is read again while waiting for a session fact to show in it. */
const POLL_MS = 25;

/** What a check found: its verdict, expectation and observation in a sentence each, why, and what it saw. */
export interface Judged {
  verdict: SessionVerdict;
  expected: string;
  observed: string;
  reasons: string[];
  evidence: Partial<SessionEvidence>;
}

export const pass = (expected: string, observed: string, evidence: Partial<SessionEvidence> = {}): Judged => ({
  verdict: 'pass',
  expected,
  observed,
  reasons: [],
  evidence,
});

export const fail = (
  expected: string,
  observed: string,
  reason: string,
  evidence: Partial<SessionEvidence> = {},
): Judged => ({ verdict: 'fail', expected, observed, reasons: [reason], evidence });

export const notApplicable = (expected: string, why: string, evidence: Partial<SessionEvidence> = {}): Judged => ({
  verdict: 'not_applicable',
  expected,
  observed: '–',
  reasons: [why],
  evidence,
});

/** One session connection: its upgrade's evidence and, when it upgraded, the session over it. */
export interface Opened {
  attempt: string;
  evidence: Evidence;
  ws?: WsSession;
  tap: WireTap;
}

/** How a connection asks to be opened: a check changes the offer, nothing else. */
export interface OpenOptions {
  /** Subprotocols offered instead of the set's own. */
  subprotocols?: string[];
  /** Extra request headers (an extension offer, an empty Sec-WebSocket-Protocol). */
  extraHeaders?: Array<[string, string]>;
}

/**
 * Everything the checks of one target x credential set share: the target and set (with the
 * session's origin), the records to read, attempt ids, the bound on every wait.
 */
export class SetContext {
  readonly cred: PlannedCredential;

  constructor(
    readonly target: PlannedTarget,
    cred: PlannedCredential,
    readonly settings: TargetSessionPlan,
    readonly backend: BackendRecord | undefined,
    readonly auth: AuthRecord | undefined,
    private readonly nextId: () => string,
  ) {
    this.cred = settings.origin !== undefined ? { ...cred, origin: settings.origin } : cred;
  }

  get timeoutMs(): number {
    return this.settings.timeoutMs;
  }

  attemptId(): string {
    return this.nextId();
  }

  /** Open a session connection with full evidence; every frame of it is traced. Never throws. */
  async open(opts: OpenOptions = {}): Promise<Opened> {
    const attempt = this.nextId();
    const tap = new WireTap(performance.now(), FRAMES_PER_CONNECTION);
    const cred = opts.subprotocols ? { ...this.cred, subprotocols: opts.subprotocols } : this.cred;
    const { evidence, connection } = await upgradeWithEvidence(this.target, cred, {
      attemptId: attempt,
      echoTimeoutMs: this.timeoutMs,
      tap,
      ...(opts.extraHeaders ? { extraHeaders: opts.extraHeaders } : {}),
    });
    if (!connection) return { attempt, evidence, tap };
    const deflate = namesDeflate(evidence.headers['sec-websocket-extensions']);
    const ws = new WsSession(
      { duplex: connection.socket, write: connection.write, leftover: connection.leftover, tap },
      deflate,
    );
    return { attempt, evidence, ws, tap };
  }

  /** Close a connection the check is done with (close 1000, bounded) unless it is gone already. */
  async release(o: Opened | undefined): Promise<void> {
    if (!o?.ws || o.ws.closed) return;
    o.ws.close(1000);
    await o.ws.finished(this.timeoutMs);
  }

  /**
   * The backend's entry of `attempt` once `ready` holds for it (polled, bounded by the check's
   * timeout); the last entry seen (or undefined) when it never does.
   */
  async backendEntry(
    attempt: string,
    ready: (e: BackendEntry) => boolean = () => true,
    timeoutMs = this.timeoutMs,
  ): Promise<BackendEntry | undefined> {
    if (!this.backend) return undefined;
    const deadline = performance.now() + timeoutMs;
    let last: BackendEntry | undefined;
    for (;;) {
      try {
        last = (await this.backend.byAttempt(attempt))[0];
      } catch {
        last = undefined;
      }
      if (last && ready(last)) return last;
      if (performance.now() >= deadline) return last;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

/** The frames of `o` listed from index `from` on (what the check's own acts caused). */
export function framesOf(o: Opened | undefined, from = 0): TraceFrame[] {
  return o ? o.tap.framesFrom(from) : [];
}

/** Why a check has no session to run on, when the upgrade did not succeed. */
export function noSession(o: Opened): string {
  const e = o.evidence;
  return `the session upgrade did not succeed: ${e.outcome}${e.problem ? ` (${e.problem})` : ''}${
    e.statusLine && e.outcome !== 'upgraded' ? `, ${e.statusLine}` : ''
  }`;
}

/** What a close frame says, as a report writes it: `close 4001 "bye"`. */
export function closeText(c: { code: number; reason: string } | undefined): string {
  if (!c) return 'no close frame';
  return c.code === 1005 ? 'a close frame without a code (1005)' : `close ${c.code}${c.reason ? ` "${c.reason}"` : ''}`;
}

/** A backend entry's header as one string. */
export function backendHeader(e: BackendEntry, name: string): string | undefined {
  return headerText(e, name);
}

/** The session facts of a backend entry, for evidence: what it was offered and chose, closes, pings, how it ended. */
export function backendFacts(
  e: BackendEntry | undefined,
  keys: ReadonlyArray<keyof BackendEntry>,
): Record<string, unknown> {
  if (!e) return { recorded: false };
  const out: Record<string, unknown> = {};
  for (const k of keys) if (e[k] !== undefined) out[k] = e[k];
  return out;
}
