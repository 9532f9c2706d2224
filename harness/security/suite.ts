import type { AuthControl } from '../client/auth-control.ts';
import type { Outcome } from '../model/outcome.ts';
import type { ProbeResult, SecurityAttempt, SecurityResult } from '../model/security.ts';
import { familyOf } from '../model/security.ts';
import { gatewayTargets, type Plan } from '../plan/plan.ts';
import { PROBES } from './probes/index.ts';
import type { ProbeContext, ProbeFindings, SecurityProbe } from './security-probe.ts';
import { ProbeSession, type SessionEnv } from './session.ts';

export interface SecurityOptions {
  authControl?: AuthControl;
  signal?: AbortSignal;
  onProbe?: (result: ProbeResult) => void;
}

/**
 * Run the security probes the scenario selects against every target, one attempt at a time, and
 * judge each probe: failed when any attempt that must be refused got in or reached the backend.
 */
export async function runSecurity(plan: Plan, opts: SecurityOptions = {}): Promise<SecurityResult> {
  const setup = plan.security;
  let n = 0;
  const env: SessionEnv = {
    nextAttemptId: () => `${plan.scenario.doc.name}-sec-${process.pid}-${++n}`,
    settleMs: plan.check.settleMs,
    mask: (text) => plan.scenario.secrets.mask(text),
  };
  const probes: ProbeResult[] = [];
  const keep = (r: ProbeResult) => {
    probes.push(r);
    opts.onProbe?.(r);
  };
  for (const target of gatewayTargets(plan)) {
    const ctx: ProbeContext = {
      plan,
      target,
      allowed: setup.allowed,
      denied: setup.denied,
      authTimeoutMs: setup.authTimeoutMs,
      authControl: opts.authControl,
      signal: opts.signal,
      session: () => new ProbeSession(env, target),
    };
    for (const id of setup.skipped)
      keep(
        judge(
          PROBES[id],
          target.name,
          { attempts: [], reasons: [], notRun: 'skipped by the scenario (security.skip)' },
          0,
        ),
      );
    for (const id of setup.run) {
      if (opts.signal?.aborted) break;
      const t0 = performance.now();
      let findings: ProbeFindings;
      try {
        findings = await PROBES[id].run(ctx);
      } catch (err) {
        findings = { attempts: [], reasons: [], notRun: `could not be carried out: ${(err as Error).message}` };
      }
      keep(judge(PROBES[id], target.name, findings, performance.now() - t0));
    }
  }
  const unreachableTargets = gatewayTargets(plan)
    .map((t) => t.name)
    .filter((name) => {
      const attempts = probes.filter((p) => p.target === name).flatMap((p) => p.attempts);
      return attempts.length > 0 && attempts.every((a) => NOBODY_THERE.has(a.outcome));
    });
  return {
    references: { allowed: setup.allowed?.name, denied: setup.denied?.name },
    probes,
    passed: probes.filter((p) => p.status === 'passed').length,
    failed: probes.filter((p) => p.status === 'failed').length,
    notRun: probes.filter((p) => p.status === 'not_run').length,
    unreachableTargets,
  };
}

/**
 * Outcomes that say nothing listens there. A TLS failure is not among them: refusing a handshake
 * without a valid client certificate is one way a gateway says no.
 */
const NOBODY_THERE: ReadonlySet<Outcome> = new Set(['refused', 'connect_timeout', 'dns_error']);

/** A probe's findings as its result: unsafe attempts and extra reasons fail it; a not-run reason stands alone. */
function judge(probe: SecurityProbe, target: string, findings: ProbeFindings, ms: number): ProbeResult {
  const unsafe = findings.attempts.filter((a) => a.unsafe);
  const reasons = [...unsafe.map((a) => `${a.label}: ${a.unsafe}`), ...findings.reasons];
  // A target that never answered refused nothing: its probe did not run, it did not pass.
  const unreachable = findings.attempts.length > 0 && findings.attempts.every((a) => NOBODY_THERE.has(a.outcome));
  const f =
    unreachable && !findings.notRun
      ? { ...findings, notRun: `the target could not be reached (${findings.attempts[0]!.outcome})` }
      : findings;
  // Anything unsafe seen before a probe gave up still fails it: a gateway that let one in is not "not run".
  const status = reasons.length > 0 ? 'failed' : f.notRun ? 'not_run' : 'passed';
  return {
    probe: probe.id,
    family: familyOf(probe.id),
    target,
    title: probe.title,
    sends: probe.sends,
    safe: probe.safe,
    seen: f.notRun && reasons.length === 0 ? `not run: ${f.notRun}` : seenLine(f.attempts, f.note),
    status,
    reasons: status === 'not_run' ? [f.notRun!] : reasons,
    attempts: f.attempts,
    durationMs: Math.round(ms),
  };
}

/** "17 attempts: 16 × http_401, 1 × http_400; none reached the backend". */
function seenLine(attempts: SecurityAttempt[], note: string | undefined): string {
  const counts = new Map<string, number>();
  for (const a of attempts) counts.set(a.outcome, (counts.get(a.outcome) ?? 0) + 1);
  const outcomes = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([o, c]) => `${c} × ${o}`)
    .join(', ');
  const checked = attempts.filter((a) => a.reachedBackend !== null);
  const denied = checked.filter((a) => a.mustBeDenied && a.reachedBackend).length;
  const backend =
    checked.length === 0
      ? 'backend not checked'
      : denied === 0
        ? 'no refused attempt reached the backend'
        : `${denied} attempt(s) that must be refused reached the backend`;
  return (
    `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}: ${outcomes || 'none'}; ${backend}` +
    `${note ? `; ${note}` : ''}`
  );
}
