import type { AuthServiceStats } from '../model/lifecycle.ts';
import { resolveFixtureRefs } from '../scenario/interpolate.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';
import { runHook } from './hook.ts';

/** How long one control request or stats read may take. */
const REQUEST_TIMEOUT_MS = 5000;

/**
 * What the lifecycle checks do to the auth service while sessions live: revoke a credential's
 * subject, make every answer wait, and undo both. Through the bundled auth service's control URL
 * (`authService.control`), or the scenario's `lifecycle.authHooks`.
 */
export interface AuthLever {
  canRevoke: boolean;
  canDelay: boolean;
  describe(): string;
  /** `subject` is a credential value: it goes to the auth service (or the hook's environment) only. */
  revoke(set: string, subject: string): Promise<void>;
  unrevoke(): Promise<void>;
  /** Answers wait `ms` (the auth service's slow state); 0 restores normal answers. */
  delay(ms: number): Promise<void>;
}

/** The scenario's lever on its auth service; one that can do nothing when it declares none. */
export function authLeverFor(doc: ScenarioDoc, fixtureUrls: Record<string, string>): AuthLever {
  const control = doc.authService?.control;
  if (control !== undefined) return fixtureLever(resolveFixtureRefs(control, fixtureUrls));
  const hooks = doc.lifecycle?.authHooks ?? {};
  return {
    canRevoke: hooks.revoke !== undefined && hooks.unrevoke !== undefined,
    canDelay: hooks.delay !== undefined,
    describe: () => `lifecycle.authHooks (${Object.keys(hooks).join(', ') || 'none'})`,
    revoke: (set, subject) => runHook('revoke', hooks.revoke!, { WSGATE_SET: set, WSGATE_SUBJECT: subject }),
    unrevoke: () => (hooks.unrevoke ? runHook('unrevoke', hooks.unrevoke) : Promise.resolve()),
    delay: (ms) =>
      hooks.delay ? runHook('auth delay', hooks.delay, { WSGATE_AUTH_DELAY_MS: String(ms) }) : Promise.resolve(),
  };
}

function fixtureLever(url: string): AuthLever {
  const put = async (patch: object, what: string) => {
    const res = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`auth control ${url} answered ${res.status} when asked to ${what}`);
  };
  return {
    canRevoke: true,
    canDelay: true,
    describe: () => `auth fixture control at ${url}`,
    revoke: (_set, subject) => put({ revoked: [subject] }, 'revoke a credential'),
    unrevoke: () => put({ revoked: [] }, 'undo revocations'),
    delay: (ms) =>
      put(ms > 0 ? { state: 'slow', slowMs: ms } : { state: 'ok' }, ms > 0 ? `answer after ${ms} ms` : 'restore'),
  };
}

/** The bundled auth service's counters, or undefined when they cannot be read in time. */
export async function readAuthStats(url: string): Promise<AuthServiceStats | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return res.ok ? ((await res.json()) as AuthServiceStats) : undefined;
  } catch {
    return undefined;
  }
}
