import type { AuthControl } from '../client/auth-control.ts';
import type { ProbeId, SecurityAttempt } from '../model/security.ts';
import type { Plan, PlannedCredential, PlannedTarget } from '../plan/plan.ts';
import type { ProbeAttempt, ProbeSession, SessionEnd } from './session.ts';

/** Everything a probe may use against one target. */
export interface ProbeContext {
  plan: Plan;
  target: PlannedTarget;
  /** The allowed reference: a credential set the gateway lets in when the auth service is ok. */
  allowed?: PlannedCredential;
  /** The denied reference: a credential set the auth service refuses (401). */
  denied?: PlannedCredential;
  /** How long the gateway waits for the auth service before it must fail closed. */
  authTimeoutMs: number;
  authControl?: AuthControl;
  signal?: AbortSignal;
  /** A fresh session of attempts against `target`. */
  session(): ProbeSession;
}

/** What a probe found: its attempts, why it failed, or why it could not run. */
export interface ProbeFindings {
  attempts: SecurityAttempt[];
  /** Failures beyond the attempts' own `unsafe` (e.g. a forwarded secret, an unexplained connection). */
  reasons: string[];
  /** Set when the probe could not be tried; the probe is then reported as not run. */
  notRun?: string;
  /** Extra words for the "seen" line, e.g. the status a fail-closed gateway chose. */
  note?: string;
}

/** One named security probe, written once and run against every target. */
export interface SecurityProbe {
  id: ProbeId;
  /** What it proves, one line (README, reports). */
  title: string;
  /** What it sends, one line. */
  sends: string;
  /** What a safe gateway does, one line. */
  safe: string;
  run(ctx: ProbeContext): Promise<ProbeFindings>;
}

/**
 * Send every spec in order in one session and collect what the backend saw. Stops early when the
 * run is aborted, keeping what was sent.
 */
export async function sendAll(
  ctx: ProbeContext,
  specs: ProbeAttempt[],
): Promise<{ session: ProbeSession; end: SessionEnd }> {
  const session = ctx.session();
  await session.begin();
  for (const spec of specs) {
    if (ctx.signal?.aborted) break;
    await session.send(spec);
  }
  return { session, end: await session.end() };
}
