import type { AuthLever } from '../client/auth-lever.ts';
import type { LifecycleCheckResult, LifecycleStatus } from '../model/lifecycle.ts';
import type { PlannedCredential } from '../plan/credentials.ts';
import type { LifecycleTarget } from '../plan/lifecycle.ts';

/** What can be done to one gateway: its reload and restart (a fixture's built-in ones, or hooks), its processes. */
export interface GatewayActions {
  /** How each action is done, for reports ("nginx -s reload", "hook ./ops/reload.sh"). */
  describe: { reload?: string; restart?: string };
  /** Resolves once the new configuration serves. */
  reload?(): Promise<void>;
  /** Resolves once the gateway serves again. */
  restart?(): Promise<void>;
  processIds?(): Promise<number[]>;
}

/** What the lifecycle checks work with besides their plan. */
export interface LifecycleEnv {
  /** By target name. */
  actions: Readonly<Record<string, GatewayActions>>;
  lever: AuthLever;
  /** The expiring set with a token minted now (lifecycle.credentials.expiresIn). */
  mintExpiring?: () => Promise<PlannedCredential>;
  /** Stops the checks promptly; what was seen is kept. */
  signal: AbortSignal;
  /** Each result as it is judged. */
  onCheck?(result: LifecycleCheckResult): void;
  /** The target's processes when wsgate started them (their CPU joins the saturation verdict of loads). */
  targetPids?: () => Promise<number[]>;
}

/** The fields every check result starts from. */
export function checkBase(t: LifecycleTarget, startedAt: number) {
  return {
    target: t.target.name,
    ...(t.gateway ? { gateway: t.gateway } : {}),
    ...(t.variant ? { variant: t.variant } : {}),
    durationMs: Math.round(performance.now() - startedAt),
  };
}

/**
 * The status of a check from what went wrong: `failures` fail it (a finding on a target the check
 * tolerates), `findings` make it a finding; neither, it passed.
 */
export function judged(
  target: string,
  tolerate: readonly string[],
  failures: readonly string[],
  findings: readonly string[] = [],
): { status: LifecycleStatus; reasons: string[] } {
  if (failures.length > 0) {
    if (!tolerate.includes(target)) return { status: 'failed', reasons: [...failures, ...findings] };
    return { status: 'finding', reasons: [...failures.map((f) => `${f} (tolerated)`), ...findings] };
  }
  if (findings.length > 0) return { status: 'finding', reasons: [...findings] };
  return { status: 'passed', reasons: [] };
}

/** Wait `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Poll `cond` every `everyMs` until it holds, `ms` pass or `signal` aborts; whether it held. */
export async function waitUntil(cond: () => boolean, ms: number, signal: AbortSignal, everyMs = 25): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (signal.aborted || performance.now() >= deadline) return cond();
    await pause(Math.min(everyMs, deadline - performance.now()), signal);
  }
  return true;
}
