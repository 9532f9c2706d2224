import { type BackendEntry, BackendRecord, headerText } from '../client/backend-record.ts';
import { ATTEMPT_HEADER, attemptWithEvidence } from '../client/evidence-client.ts';
import type { Evidence } from '../model/conformance.ts';
import type { SecurityAttempt } from '../model/security.ts';
import { bareCredential } from '../plan/direct.ts';
import type { PlannedCredential, PlannedTarget } from '../plan/plan.ts';
import { type RawRequest, requestBytes, requestText } from './raw-request.ts';

/** What one attempt of a probe is: which credential it carries and whether it must be refused. */
export interface ProbeAttempt {
  label: string;
  /** The credential set sent; undefined when the attempt carries none. */
  cred: PlannedCredential | undefined;
  mustBeDenied: boolean;
  /** The request, given the attempt id to tag it with (see baseRequest). */
  build(attemptId: string): RawRequest;
  /** Wait this long for the response head instead of the target's handshake timeout. */
  handshakeTimeoutMs?: number;
}

/** What the backend saw while a probe ran. */
export interface SessionEnd {
  /** Backend entries matched to an attempt of this probe, by attempt id. */
  byAttempt: Map<string, BackendEntry>;
  /** Entries without an attempt tag (a gateway may strip X-Wsgate-Attempt). */
  untagged: BackendEntry[];
  /** Problems found at the end: unreadable record, untagged connections no allowed attempt explains. */
  reasons: string[];
}

/** Shared by every session of one run: how ids are made, how long denied attempts may take to leak. */
export interface SessionEnv {
  nextAttemptId(): string;
  settleMs: number;
  mask(text: string): string;
}

/** Stand-in credential for attempts that carry none (the client needs one for TLS client certs). */
const NO_CREDENTIAL: PlannedCredential = bareCredential('(none)', 400);

/**
 * The attempts of one probe against one target, sent one at a time, with the backend record read
 * once at the end: each attempt is tagged, so every connection the backend saw is matched to the
 * attempt that caused it. A denied attempt is unsafe when it upgrades or reaches the backend.
 */
export class ProbeSession {
  readonly attempts: SecurityAttempt[] = [];
  private readonly ids: string[] = [];
  private readonly record: BackendRecord | undefined;
  private mark: number | undefined;
  private markProblem: string | undefined;

  constructor(
    private readonly env: SessionEnv,
    readonly target: PlannedTarget,
  ) {
    this.record = target.backend ? new BackendRecord(target.backend.recordUrl) : undefined;
  }

  /** Remember where the backend record stands, so `end()` sees only what this probe caused. */
  async begin(): Promise<void> {
    if (!this.record) return;
    try {
      this.mark = await this.record.mark();
    } catch (err) {
      this.markProblem = `could not read the backend record: ${(err as Error).message}`;
    }
  }

  /** Send one attempt and keep it; never throws (failures are outcomes). */
  async send(spec: ProbeAttempt): Promise<SecurityAttempt> {
    const id = this.env.nextAttemptId();
    const req = spec.build(id);
    const target =
      spec.handshakeTimeoutMs === undefined
        ? this.target
        : { ...this.target, handshakeTimeoutMs: spec.handshakeTimeoutMs };
    const start = performance.now();
    const evidence = await attemptWithEvidence(target, spec.cred ?? NO_CREDENTIAL, {
      attemptId: id,
      echoTimeoutMs: 0,
      request: (pair) => requestBytes(req, pair),
    });
    const attempt: SecurityAttempt = {
      label: spec.label,
      credential: spec.cred?.name ?? NO_CREDENTIAL.name,
      mustBeDenied: spec.mustBeDenied,
      request: requestText(req, this.env.mask),
      outcome: evidence.outcome,
      headers: evidence.headers,
      reachedBackend: this.record ? false : null,
      ms:
        Math.round((evidence.timings.upgradeMs ?? evidence.timings.statusMs ?? performance.now() - start) * 1000) /
        1000,
    };
    if (evidence.statusLine) attempt.statusLine = evidence.statusLine;
    if (evidence.problem) attempt.problem = evidence.problem;
    if (evidence.bodySnippet) attempt.bodySnippet = evidence.bodySnippet;
    if (spec.mustBeDenied && letIn(evidence))
      attempt.unsafe =
        evidence.outcome === 'upgraded'
          ? 'upgraded: the gateway let it in'
          : `answered 101 (${evidence.problem ?? 'broken handshake'}): the gateway let it in`;
    this.attempts.push(attempt);
    this.ids.push(id);
    return attempt;
  }

  /**
   * Wait for late leaks, read the backend record and mark each attempt that reached it. Untagged
   * connections beyond what the allowed attempts explain are reported as leaks of the probe.
   */
  async end(): Promise<SessionEnd> {
    const out: SessionEnd = { byAttempt: new Map(), untagged: [], reasons: [] };
    if (!this.record) return out;
    if (this.mark === undefined) {
      out.reasons.push(this.markProblem ?? 'could not read the backend record');
      for (const a of this.attempts) a.reachedBackend = null;
      return out;
    }
    if (this.attempts.some((a) => a.outcome !== 'upgraded')) await new Promise((r) => setTimeout(r, this.env.settleMs));
    let entries: BackendEntry[];
    try {
      entries = await this.record.since(this.mark);
    } catch (err) {
      out.reasons.push(`could not read the backend record: ${(err as Error).message}`);
      for (const a of this.attempts) a.reachedBackend = null;
      return out;
    }
    const index = new Map(this.ids.map((id, i) => [id, i]));
    for (const entry of entries) {
      const tag = headerText(entry, ATTEMPT_HEADER);
      if (tag === undefined) out.untagged.push(entry);
      else if (index.has(tag) && !out.byAttempt.has(tag)) out.byAttempt.set(tag, entry);
      // A tag of another probe is a late arrival from before this one began: not ours to judge.
    }
    this.ids.forEach((id, i) => {
      const attempt = this.attempts[i]!;
      if (!out.byAttempt.has(id)) return;
      attempt.reachedBackend = true;
      if (attempt.mustBeDenied) {
        const path = out.byAttempt.get(id)!.path;
        attempt.unsafe = [attempt.unsafe, `reached the backend (as ${this.env.mask(path)})`].filter(Boolean).join('; ');
      }
    });
    const explained = this.attempts.filter(
      (a, i) => !a.mustBeDenied && a.outcome === 'upgraded' && !out.byAttempt.has(this.ids[i]!),
    ).length;
    const unexplained = out.untagged.length - explained;
    if (unexplained > 0) {
      out.reasons.push(
        `${unexplained} connection(s) without the ${ATTEMPT_HEADER} tag reached the backend during this probe, ` +
          `more than its allowed attempts explain: a denied attempt got through`,
      );
    }
    return out;
  }

  /** The attempt id of the attempt at `index`, to look up its backend entry. */
  idOf(index: number): string {
    return this.ids[index]!;
  }
}

/** A 101 lets the caller in even when the handshake is broken: the gateway opened the door. */
export function letIn(e: Evidence): boolean {
  return e.outcome === 'upgraded' || /^HTTP\/1\.[01] 101\b/.test(e.statusLine ?? '');
}
