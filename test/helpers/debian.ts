import { execFileSync, spawnSync } from 'node:child_process';

/** Where a Debian package's binary was found, or why the tests that need it cannot run. */
export type Found = { ok: true; path: string } | { ok: false; reason: string };

const tried = new Map<string, Found>();

/**
 * Find `binary`, installing Debian package `pkg` with apt-get when it is absent (tests need real
 * nginx, Caddy, HAProxy, Chromium). In CI a missing package is a failure, never a skip; elsewhere
 * the caller skips with the returned reason, printed loudly.
 */
export function ensureDebianPackage(binary: string, pkg: string = binary): Found {
  const cached = tried.get(binary);
  if (cached) return cached;
  let found = which(binary);
  if (!found.ok && process.getuid?.() === 0 && which('apt-get').ok) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
      stdio: 'ignore',
      env,
      timeout: 600_000,
    });
    found = which(binary);
    if (!found.ok) found = { ok: false, reason: `apt-get install ${pkg} failed (exit ${install.status})` };
  } else if (!found.ok) {
    found = { ok: false, reason: `${binary} is not installed and this user cannot apt-get install ${pkg}` };
  }
  if (!found.ok) {
    const message = `*** ${pkg} unavailable: ${found.reason}; the tests that need it cannot run ***`;
    if (process.env.CI) throw new Error(message);
    process.stderr.write(`\n${message}\n\n`);
  }
  tried.set(binary, found);
  return found;
}

function which(binary: string): Found {
  try {
    const path = execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return path ? { ok: true, path } : { ok: false, reason: `${binary} not found` };
  } catch {
    return { ok: false, reason: `${binary} not found on PATH` };
  }
}
