import type { AuthState } from '../../model/auth.ts';
import type { ProbeId } from '../../model/security.ts';
import { expectedOutcomes } from '../../outcome/expected.ts';
import { baseRequest } from '../raw-request.ts';
import { type ProbeContext, type ProbeFindings, type SecurityProbe, sendAll } from '../security-probe.ts';

export const NO_ALLOWED =
  'the scenario has no allowed reference: no credential set expects 200 with the auth service ok (name one in ' +
  'security.allowed)';

/** How long past the gateway's auth timeout the hang probe waits for its answer. */
export function hangWaitMs(authTimeoutMs: number): number {
  return Math.round(authTimeoutMs * 1.5 + 500);
}

const WHAT: Record<'error' | 'hang' | 'down' | 'garbage', string> = {
  error: 'answers 500',
  hang: 'never answers',
  down: 'refuses connections',
  garbage: 'answers bytes that are not HTTP',
};

/**
 * A fail-closed probe: put the auth service into `state`, send the allowed reference (the one
 * credential that would get in), restore the auth service. Any upgrade or backend contact fails it.
 */
function failClosedProbe(id: ProbeId, state: keyof typeof WHAT): SecurityProbe {
  return {
    id,
    title: `No upgrade while the auth service ${WHAT[state]}`,
    sends:
      `the allowed reference while the ` +
      `auth service ${WHAT[state]}${state === 'hang' ? ", waiting past the gateway's auth timeout" : ''}`,
    safe: 'answers an error (500, or what its statusMap maps 500 to) and never upgrades; the backend never sees it',
    run: (ctx) => runFailClosed(ctx, state),
  };
}

async function runFailClosed(ctx: ProbeContext, state: AuthState & keyof typeof WHAT): Promise<ProbeFindings> {
  const allowed = ctx.allowed;
  if (!allowed) return { attempts: [], reasons: [], notRun: NO_ALLOWED };
  const control = ctx.authControl;
  if (!control)
    return {
      attempts: [],
      reasons: [],
      notRun:
        `needs the auth service put into state "${state}": give authService.control (the bundled auth ` +
        `service) or authService.hooks.${state} and .ok for your own`,
    };
  if (!control.supports(state))
    return {
      attempts: [],
      reasons: [],
      notRun: `${control.describe()} cannot produce state "${state}" (add authService.hooks.${state} and .ok)`,
    };
  const waitMs = state === 'hang' ? hangWaitMs(ctx.authTimeoutMs) : undefined;
  try {
    await control.set(state);
  } catch (err) {
    await control.set('ok').catch(() => undefined);
    return {
      attempts: [],
      reasons: [],
      notRun: `could not put the auth service into state "${state}": ${(err as Error).message}`,
    };
  }
  let found: Awaited<ReturnType<typeof sendAll>>;
  try {
    found = await sendAll(ctx, [
      {
        label: `auth service ${WHAT[state]}`,
        cred: allowed,
        mustBeDenied: true,
        build: (attemptId) => baseRequest(ctx.target, allowed, attemptId),
        handshakeTimeoutMs: waitMs,
      },
    ]);
  } finally {
    await control.set('ok').catch(() => undefined);
  }
  const { session, end } = found;
  const reasons = [...end.reasons];
  const attempt = session.attempts[0];
  let note: string | undefined;
  if (attempt && !attempt.unsafe) {
    if (attempt.outcome === 'handshake_timeout') {
      attempt.unsafe =
        state === 'hang'
          ? `no answer within ${waitMs} ms although the gateway's auth timeout is ${ctx.authTimeoutMs} ms: it did ` +
            `not fail closed in time (if its real timeout is longer, set security.authTimeout)`
          : `no answer within ${ctx.target.handshakeTimeoutMs} ms: the gateway did not fail closed, it hung`;
    } else {
      const expected = expectedOutcomes(ctx.target, 500);
      if (!expected.includes(attempt.outcome))
        note = `refused with ${attempt.outcome}, not the expected ${expected.join(' or ')}`;
    }
  }
  return { attempts: session.attempts, reasons, note };
}

export const FAIL_CLOSED_PROBES: SecurityProbe[] = [
  failClosedProbe('fail-closed.auth-error', 'error'),
  failClosedProbe('fail-closed.auth-hang', 'hang'),
  failClosedProbe('fail-closed.auth-down', 'down'),
  failClosedProbe('fail-closed.auth-garbage', 'garbage'),
];
