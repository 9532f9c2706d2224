import { exec } from 'node:child_process';
import type { AuthState } from '../model/auth.ts';
import { resolveFixtureRefs } from '../scenario/interpolate.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';

/** How long a hook command may take before the state change counts as failed. */
const HOOK_TIMEOUT_MS = 30_000;

/**
 * Puts the auth service into a state (ok, error, hang, down, garbage, slow) for checks that need
 * it: through a wsgate auth fixture's control URL, or through the scenario's shell hooks.
 */
export interface AuthControl {
  /** Whether this control can produce `state`; when not, checks needing it are reported not run. */
  supports(state: AuthState): boolean;
  set(state: AuthState): Promise<void>;
  describe(): string;
}

/** The control a scenario declares, or undefined when it declares none. */
export function authControlFor(doc: ScenarioDoc, fixtureUrls: Record<string, string>): AuthControl | undefined {
  const spec = doc.authService;
  if (spec?.control) return new FixtureControl(resolveFixtureRefs(spec.control, fixtureUrls));
  if (spec?.hooks) return new HookControl(spec.hooks);
  return undefined;
}

class FixtureControl implements AuthControl {
  constructor(private readonly url: string) {}

  supports(): boolean {
    return true;
  }

  async set(state: AuthState): Promise<void> {
    const res = await fetch(this.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`auth control ${this.url} answered ${res.status} when setting state "${state}"`);
  }

  describe(): string {
    return `auth fixture control at ${this.url}`;
  }
}

class HookControl implements AuthControl {
  constructor(private readonly hooks: Partial<Record<AuthState, string>>) {}

  supports(state: AuthState): boolean {
    return state === 'ok' || (this.hooks[state] !== undefined && this.hooks.ok !== undefined);
  }

  set(state: AuthState): Promise<void> {
    const command = this.hooks[state];
    if (command === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      exec(command, { timeout: HOOK_TIMEOUT_MS }, (err, _stdout, stderr) => {
        // The hook's output is not echoed: it may print secrets of the user's auth service.
        if (err)
          reject(
            new Error(
              `hook for auth state "${state}" failed (exit ${err.code ?? 'signal'})` +
                `${stderr ? '; its stderr is withheld' : ''}`,
            ),
          );
        else resolve();
      });
    });
  }

  describe(): string {
    return `shell hooks for ${Object.keys(this.hooks).join(', ')}`;
  }
}
