import { exec } from 'node:child_process';

/**
 * Run a scenario's shell hook (reload or restart a gateway, revoke a credential, slow the auth
 * service) with extra environment variables, within `timeoutMs`. Rejects naming the hook and its
 * exit code; what it printed is withheld, as it may print secrets of the user's systems.
 */
export function runHook(
  what: string,
  command: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    exec(command, { timeout: timeoutMs, env: { ...process.env, ...env }, killSignal: 'SIGKILL' }, (err) => {
      if (err)
        reject(
          new Error(`${what} hook failed (${err.killed ? `killed after ${timeoutMs / 1000} s` : `exit ${err.code}`})`),
        );
      else resolve();
    });
  });
}
