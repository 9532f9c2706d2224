/**
 * The C reference client for bench:engine's CPU-per-handshake comparison: `ws-upgrade.c` is about
 * the least CPU a correct WebSocket-upgrade client can spend (one epoll loop, the request built
 * once, no frame handling), so printed next to wsgate's engine it shows how far the engine is
 * from the physical limit. This module compiles it with the system `cc` and runs it.
 */
import { type ExecFileException, execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./ws-upgrade.c', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('.build/', import.meta.url));
const BINARY = `${BUILD_DIR}ws-upgrade`;
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=c11', '-D_GNU_SOURCE'];
/** The client gives up after 120 s by itself; this is the backstop if it somehow does not. */
const RUN_TIMEOUT_MS = 150_000;
const COMPILE_TIMEOUT_MS = 60_000;

export interface ReferenceResult {
  mode: 'c';
  upgraded: number;
  failed: number;
  /** Wall time of the client's loop. */
  seconds: number;
  /** getrusage(RUSAGE_SELF) of the client process, microseconds. */
  userUs: number;
  systemUs: number;
}

export interface ReferenceOptions {
  /** `ws://<IPv4 literal>[:port]/path`: the client does no name resolution. */
  url: string;
  count: number;
  concurrency: number;
  /** IPv4 addresses bound before connect, rotated per connection (more ports per destination). */
  sourceAddresses?: string[];
  /** Pin the client to this CPU (`taskset -c`), so a benchmark can keep client and server apart. */
  cpu?: number;
}

interface Ran {
  error: ExecFileException | null;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], timeout: number): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 20, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ error, stdout, stderr }),
    );
  });
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Compiles ws-upgrade.c into bench/c/.build/ws-upgrade unless the binary is already newer than the
 * source, and returns the binary's path. Throws if `cc` is missing (install Debian's gcc) or the
 * compile fails.
 */
export async function buildReferenceClient(): Promise<string> {
  const built = await mtimeMs(BINARY);
  const source = await mtimeMs(SOURCE);
  if (source === undefined) throw new Error(`reference client source missing: ${SOURCE}`);
  if (built !== undefined && built >= source) return BINARY;
  await mkdir(BUILD_DIR, { recursive: true });
  // Compile to a private name and rename: a concurrent build or run never sees a half-written binary.
  const tmp = `${BINARY}.${process.pid}.tmp`;
  const r = await exec('cc', [...CFLAGS, '-o', tmp, SOURCE], COMPILE_TIMEOUT_MS);
  if (r.error) {
    await rm(tmp, { force: true });
    if (r.error.code === 'ENOENT') {
      throw new Error(
        "the C reference client needs a C compiler, and `cc` was not found: install Debian's gcc (apt-get " +
          'install -y gcc)',
      );
    }
    throw new Error(`compiling ${SOURCE} failed: ${r.stderr.trim() || r.error.message}`);
  }
  await rename(tmp, BINARY);
  return BINARY;
}

function isResult(v: unknown): v is ReferenceResult {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    o.mode === 'c' &&
    ['upgraded', 'failed', 'seconds', 'userUs', 'systemUs'].every(
      (k) => typeof o[k] === 'number' && Number.isFinite(o[k]),
    )
  );
}

/**
 * Builds the client if needed and runs it against `opts.url` for `opts.count` upgrades with
 * `opts.concurrency` in flight; resolves to its JSON line.
 *
 * The result is returned whether or not every attempt upgraded: the client exits 1 when any
 * attempt failed, and that exit still resolves (with `failed > 0`), so a caller must check
 * `failed` (or `upgraded === count`) itself. The exit status is cross-checked against the counts
 * (0 means all upgraded, 1 means not), and it rejects on bad arguments (exit 2), a timeout, a
 * signal, missing output, or output that does not add up to `count`.
 */
export async function runReferenceClient(opts: ReferenceOptions): Promise<ReferenceResult> {
  const u = new URL(opts.url);
  if (u.protocol !== 'ws:') throw new Error(`reference client: only ws:// URLs (plain TCP), got ${opts.url}`);
  // URL keeps an IPv4 literal as is; anything else (a name, [::1]) the client cannot connect to.
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(u.hostname))
    throw new Error(`reference client: the host must be an IPv4 literal, got ${u.hostname}`);
  for (const [name, n] of [
    ['count', opts.count],
    ['concurrency', opts.concurrency],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new Error(`reference client: ${name} must be a positive integer, got ${n}`);
  }
  if (opts.cpu !== undefined && (!Number.isSafeInteger(opts.cpu) || opts.cpu < 0))
    throw new Error(`reference client: cpu must be a CPU number, got ${opts.cpu}`);

  const binary = await buildReferenceClient();
  const args = [
    u.hostname,
    u.port || '80',
    `${u.pathname}${u.search}`,
    String(opts.count),
    String(opts.concurrency),
    ...(opts.sourceAddresses ?? []),
  ];
  const [file, argv] = opts.cpu === undefined ? [binary, args] : ['taskset', ['-c', String(opts.cpu), binary, ...args]];
  const r = await exec(file, argv, RUN_TIMEOUT_MS);

  const what = `reference client (${file} ${argv.join(' ')})`;
  if (r.error?.code === 'ENOENT') {
    throw new Error(
      file === 'taskset'
        ? "pinning the reference client needs taskset: install Debian's util-linux (apt-get install -y util-linux)"
        : `${what}: binary not found`,
    );
  }
  if (r.error && (r.error.killed || r.error.signal))
    throw new Error(
      `${what} was killed (${r.error.signal ?? 'timeout'}) after ${RUN_TIMEOUT_MS / 1000} s at most: ` +
        `${r.stderr.trim()}`,
    );
  const status = r.error ? r.error.code : 0;
  if (status !== 0 && status !== 1) throw new Error(`${what} exited with ${String(status)}: ${r.stderr.trim()}`);

  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`${what} printed no JSON line (exit ${status}): ${JSON.stringify(r.stdout)} ${r.stderr.trim()}`);
  }
  if (!isResult(parsed)) throw new Error(`${what} printed an unexpected line: ${line}`);
  const allUpgraded = parsed.upgraded === opts.count && parsed.failed === 0;
  if (parsed.upgraded + parsed.failed !== opts.count || allUpgraded !== (status === 0)) {
    throw new Error(`${what}: exit ${status} does not match its counts: ${line}`);
  }
  return {
    mode: 'c',
    upgraded: parsed.upgraded,
    failed: parsed.failed,
    seconds: parsed.seconds,
    userUs: parsed.userUs,
    systemUs: parsed.systemUs,
  };
}
