/**
 * Isolated test hosts on one machine, built from Linux network namespaces.
 *
 * Topology of one {@link createTestNetwork} instance with prefix `wsg<pid>-<n>-`:
 *
 *   netns `<prefix>sw` (the "switch"):  bridge `br0`, ports `p0`, `p1`, ...
 *   netns `<prefix><hostname>`:         `lo` (up) and `eth0` (198.18.0.11/24, ...), veth peer of `pN`
 *
 * Every interface is created directly inside the instance's own namespaces (`ip -n <ns> link add ...
 * peer name eth0 netns <host>`), so the root namespace is never touched: no interface, address, route,
 * bridge or NAT rule is added there, and interface names cannot collide between instances. Only
 * addresses from the benchmarking range 198.18.0.0/15 are used (the segment is 198.18.0.0/24) and no
 * host has a default route, so nothing can leave the segment.
 *
 * Limits of this machine that still apply inside the namespaces: the open-file limit per process is
 * inherited unchanged (`ulimit -n` is 20,000 here), so one runner process can hold at most ~20k
 * sockets. Each namespace does get `net.ipv4.ip_local_port_range = 1024 65000` (best effort).
 *
 * Needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN), iproute2 and a kernel with network namespaces, veth and
 * bridge support; {@link netnsSupport} probes all of that.
 */
import { type ChildProcess, spawn as spawnProcess, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** One isolated test host: a network namespace with an address on the shared test segment. */
export interface TestHost {
  /** The name the caller gave. */
  name: string;
  /** The network namespace the host lives in (usable with `ip netns exec`). */
  ns: string;
  /** Primary IPv4 address on the segment, e.g. 198.18.0.11. */
  address: string;
  /** All IPv4 addresses of the host on its `eth0`; `addresses[0] === address`, then the extra ones. */
  addresses: string[];
}

/** Result of {@link TestNetwork.exec}. */
export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A set of test hosts on one private L2 segment, plus everything needed to run and tear it down. */
export interface TestNetwork {
  hosts: TestHost[];
  /** The unique name prefix of this instance, e.g. `wsg1234-1-`. */
  prefix: string;
  /** Every namespace of this instance: the hosts' and the switch's. */
  namespaces: string[];
  /** The segment's subnet in CIDR notation. */
  subnet: string;
  /**
   * Spawn `command args` inside the host's namespace (ip netns exec), stdio piped (drain stdout and
   * stderr of chatty processes, or they block on a full pipe); killed by destroy().
   */
  spawn(
    host: TestHost,
    command: string,
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; cwd?: string },
  ): ChildProcess;
  /**
   * Run `command args` to completion inside the host's namespace. Resolves with exit code and output;
   * rejects when it does not finish within `timeoutMs` (default 10 s; it is killed then).
   */
  exec(
    host: TestHost,
    command: string,
    args: string[],
    opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string },
  ): Promise<ExecResult>;
  /**
   * Kill every process started through spawn()/exec() (and anything else still inside the
   * namespaces), delete all veths, the bridge and the namespaces. Idempotent; rejects, after doing
   * everything it can, if something could not be removed.
   */
  destroy(): Promise<void>;
}

/** Prefix shared by every namespace this helper creates; `sweepStale()` only touches names with it. */
export const NETNS_PREFIX = 'wsg';
/** The private segment all hosts of one instance share. */
export const TEST_SUBNET = '198.18.0.0/24';

const SUBNET_BASE = '198.18.0.';
const FIRST_HOST_OCTET = 11;
const LAST_HOST_OCTET = 254;
/** Bound for each `ip` invocation. */
const IP_TIMEOUT_MS = 5_000;
/** How long a process gets after SIGTERM before SIGKILL, and how long we wait after SIGKILL. */
const TERM_GRACE_MS = 2_000;
const KILL_WAIT_MS = 2_000;
const DEFAULT_EXEC_TIMEOUT_MS = 10_000;
const MAX_HOST_NAME = 40;
const STALE_NAME = new RegExp(`^${NETNS_PREFIX}(\\d+)-(\\d+)-`);

let instanceCounter = 0;
/** Instances of this process that are not destroyed yet, for the exit hook and pid-reuse detection. */
const liveInstances = new Set<Instance>();
let exitHookInstalled = false;
let supportCache: { ok: true } | { ok: false; reason: string } | undefined;

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';

/** Whether this machine can create namespaces (root + ip netns works); with the reason when not. */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (supportCache) return supportCache;
  supportCache = probeSupport();
  return supportCache;
}

function probeSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'creating network namespaces needs root' };
  const version = spawnSync(IP, ['-V'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (version.error || version.status !== 0) {
    return {
      ok: false,
      reason:
        `iproute2 'ip' is not usable (${version.error?.message ?? version.stderr.trim()}); apt-get ` +
        `install iproute2`,
    };
  }
  const ns = `${NETNS_PREFIX}${process.pid}-0-probe`;
  const steps: string[][] = [
    ['netns', 'add', ns],
    ['-n', ns, 'link', 'set', 'lo', 'up'],
    ['-n', ns, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb'],
    ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge'],
    ['-n', ns, 'link', 'set', 'pa', 'master', 'br0'],
  ];
  let failure: string | undefined;
  for (const args of steps) {
    const r = spawnSync(IP, args, { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
    if (r.error || r.status !== 0) {
      failure = `'ip ${args.join(' ')}' failed: ${(r.error?.message ?? r.stderr).trim() || `exit ${r.status}`}`;
      break;
    }
  }
  spawnSync(IP, ['netns', 'del', ns], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
  if (listNamespacesSync().includes(ns)) failure ??= `could not remove probe namespace ${ns}`;
  return failure ? { ok: false, reason: `network namespaces unusable: ${failure}` } : { ok: true };
}

/**
 * Create `names.length` hosts on one private L2 segment 198.18.0.0/24 (addresses .11, .12, ...), each
 * with loopback up. `extraAddresses: k` gives every host k more addresses on its `eth0` (allocated
 * after all primary addresses), listed in `TestHost.addresses`. On any setup failure everything
 * created so far is removed before the error is thrown.
 *
 * Host names become part of namespace names; `ip netns add` has the last word on their syntax (a
 * name containing `/` is refused there, after the hosts before it were created).
 */
export async function createTestNetwork(names: string[], opts: { extraAddresses?: number } = {}): Promise<TestNetwork> {
  const extra = opts.extraAddresses ?? 0;
  validate(names, extra);
  const support = netnsSupport();
  if (!support.ok) throw new Error(`createTestNetwork: ${support.reason}`);
  installExitHook();

  const instance = new Instance(`${NETNS_PREFIX}${process.pid}-${++instanceCounter}-`);
  liveInstances.add(instance);
  try {
    await instance.setup(names, extra);
  } catch (setupError) {
    try {
      await instance.destroy();
    } catch (cleanupError) {
      throw new AggregateError(
        [setupError, cleanupError],
        `createTestNetwork failed and cleanup was incomplete: ${message(setupError)}; ${message(cleanupError)}`,
      );
    }
    throw new Error(`createTestNetwork failed (partial setup removed): ${message(setupError)}`, { cause: setupError });
  }
  return instance.api();
}

/**
 * Remove leftovers of earlier runs: every namespace named `wsg<pid>-<n>-...` whose creating process
 * is gone (or, when `<pid>` is this process, that belongs to no live instance: a reused PID), after
 * killing whatever still runs inside. Resolves with the removed namespace names.
 */
export async function sweepStale(): Promise<string[]> {
  const ownLive = new Set<string>();
  for (const inst of liveInstances) for (const ns of inst.created) ownLive.add(ns);
  const stale = (await listNamespaces()).filter((ns) => {
    const m = STALE_NAME.exec(ns);
    if (!m) return false;
    const pid = Number(m[1]);
    if (pid === process.pid) return !ownLive.has(ns);
    return !pidAlive(pid);
  });
  const errors: string[] = [];
  for (const ns of stale) {
    await killNamespacePids(ns, errors);
    const r = await runIp(['netns', 'del', ns]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) errors.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  if (errors.length) throw new Error(`sweepStale: ${errors.join('; ')}`);
  return stale;
}

class Instance {
  /** Namespaces in creation order (recorded before creation is attempted). */
  readonly created: string[] = [];
  readonly hosts: TestHost[] = [];
  readonly processes = new Set<ChildProcess>();
  readonly sw: string;
  private destroying: Promise<void> | undefined;
  private destroyed = false;

  constructor(readonly prefix: string) {
    this.sw = `${prefix}sw`;
  }

  async setup(names: string[], extra: number): Promise<void> {
    await this.step(['netns', 'add', this.sw], this.sw);
    await this.step(['-n', this.sw, 'link', 'add', 'br0', 'type', 'bridge']);
    await this.step(['-n', this.sw, 'link', 'set', 'br0', 'up']);
    const n = names.length;
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      const ns = `${this.prefix}${name}`;
      const port = `p${i}`;
      const addresses = [`${SUBNET_BASE}${FIRST_HOST_OCTET + i}`];
      for (let j = 0; j < extra; j++) addresses.push(`${SUBNET_BASE}${FIRST_HOST_OCTET + n + i * extra + j}`);
      await this.step(['netns', 'add', ns], ns);
      await this.step(['-n', ns, 'link', 'set', 'lo', 'up']);
      await this.step(['-n', this.sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await this.step(['-n', this.sw, 'link', 'set', port, 'master', 'br0', 'up']);
      for (const a of addresses) await this.step(['-n', ns, 'addr', 'add', `${a}/24`, 'dev', 'eth0']);
      await this.step(['-n', ns, 'link', 'set', 'eth0', 'up']);
      // Best effort, per namespace: many client sockets from one source address need a wide port range.
      await runIp(['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=1024 65000']);
      this.hosts.push({ name, ns, address: addresses[0]!, addresses });
    }
  }

  private async step(args: string[], createsNs?: string): Promise<void> {
    if (createsNs) this.created.push(createsNs);
    const r = await runIp(args);
    if (r.code !== 0) throw new Error(`'ip ${args.join(' ')}' failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  api(): TestNetwork {
    return {
      hosts: this.hosts,
      prefix: this.prefix,
      namespaces: [...this.hosts.map((h) => h.ns), this.sw],
      subnet: TEST_SUBNET,
      spawn: (host, command, args, opts) => this.spawn(host, command, args, opts),
      exec: (host, command, args, opts) => this.exec(host, command, args, opts),
      destroy: () => this.destroy(),
    };
  }

  private checkHost(host: TestHost): void {
    if (this.destroyed || this.destroying) throw new Error(`test network ${this.prefix} is destroyed`);
    if (!this.hosts.includes(host)) throw new Error(`host ${host.name} does not belong to test network ${this.prefix}`);
  }

  spawn(
    host: TestHost,
    command: string,
    args: string[],
    opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): ChildProcess {
    this.checkHost(host);
    // `ip netns exec` execs the command after setns(), so child.pid is the command's own PID.
    const child = spawnProcess(IP, ['netns', 'exec', host.ns, command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    this.processes.add(child);
    const forget = (): void => void this.processes.delete(child);
    child.once('exit', forget);
    child.once('error', forget);
    return child;
  }

  exec(
    host: TestHost,
    command: string,
    args: string[],
    opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
  ): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const child = this.spawn(host, command, args, { env: opts.env, cwd: opts.cwd });
    return new Promise<ExecResult>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin?.on('error', () => {});
      child.stdin?.end(opts.input ?? '');
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        void terminate(child)
          .catch(() => {})
          .then(() =>
            reject(
              new Error(
                `'${command} ${args.join(' ')}' in ${host.ns} timed out after ${timeoutMs} ms\nstdout: ` +
                  `${stdout}\nstderr: ${stderr}`,
              ),
            ),
          );
      }, timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      // 'close' (not 'exit') so that all output has been read.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (!timedOut) resolve({ code, signal, stdout, stderr });
      });
    });
  }

  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroying ??= this.teardown().then(
      () => {
        this.destroyed = true;
        liveInstances.delete(this);
      },
      (e: unknown) => {
        this.destroying = undefined; // a later call may retry
        throw e;
      },
    );
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    const errors: string[] = [];
    await Promise.all([...this.processes].map((p) => terminate(p).catch((e: unknown) => void errors.push(message(e)))));
    const existing = new Set(await listNamespaces());
    const ours = [...new Set([...this.created, ...[...existing].filter((ns) => ns.startsWith(this.prefix))])].filter(
      (ns) => existing.has(ns),
    );
    for (const ns of ours) await killNamespacePids(ns, errors);
    // Deleting a veth end deletes the pair; do it explicitly so nothing survives even if a namespace
    // were kept alive by an unkillable process.
    if (existing.has(this.sw)) {
      for (let i = 0; i < this.hosts.length + 1; i++) await runIp(['-n', this.sw, 'link', 'del', `p${i}`]);
      await runIp(['-n', this.sw, 'link', 'del', 'br0']);
    }
    for (const ns of ours.reverse()) {
      const r = await runIp(['netns', 'del', ns]);
      if (r.code !== 0 && !/No such file/.test(r.stderr)) errors.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
    }
    const left = (await listNamespaces()).filter((ns) => ns.startsWith(this.prefix));
    if (left.length) errors.push(`namespaces left behind: ${left.join(', ')}`);
    if (errors.length) throw new Error(`destroy ${this.prefix}: ${errors.join('; ')}`);
  }
}

function validate(names: string[], extra: number): void {
  if (!Array.isArray(names) || names.length === 0) throw new Error('createTestNetwork: need at least one host name');
  if (!Number.isInteger(extra) || extra < 0)
    throw new Error(`createTestNetwork: extraAddresses must be a non-negative integer, got ${extra}`);
  const last = FIRST_HOST_OCTET + names.length * (1 + extra) - 1;
  if (last > LAST_HOST_OCTET) {
    throw new Error(
      `createTestNetwork: ${names.length} hosts x ${1 + extra} addresses do ` +
        `not fit in ${SUBNET_BASE}${FIRST_HOST_OCTET}-${LAST_HOST_OCTET}`,
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_HOST_NAME) {
      throw new Error(`createTestNetwork: host name must be 1-${MAX_HOST_NAME} characters: ${JSON.stringify(name)}`);
    }
    // A leading '-' would be parsed as an option by ip; whitespace/control chars make names unreadable.
    if (name.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(name))
      throw new Error(`createTestNetwork: invalid host name ${JSON.stringify(name)}`);
    if (name === 'sw') throw new Error('createTestNetwork: host name "sw" is reserved for the switch namespace');
    if (seen.has(name)) throw new Error(`createTestNetwork: duplicate host name ${JSON.stringify(name)}`);
    seen.add(name);
  }
}

/** SIGTERM, wait up to TERM_GRACE_MS, then SIGKILL and wait up to KILL_WAIT_MS. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (await within(exited, TERM_GRACE_MS)) return;
  child.kill('SIGKILL');
  if (!(await within(exited, KILL_WAIT_MS))) throw new Error(`process ${child.pid} did not exit after SIGKILL`);
}

/** Kill every process still inside `ns` (e.g. grandchildren of spawned processes), bounded. */
async function killNamespacePids(ns: string, errors: string[]): Promise<void> {
  const pidsIn = async (): Promise<number[]> => {
    const r = await runIp(['netns', 'pids', ns]);
    return r.code === 0
      ? r.stdout
          .split(/\s+/)
          .filter(Boolean)
          .map(Number)
          .filter((p) => p > 0 && p !== process.pid)
      : [];
  };
  let pids = await pidsIn();
  for (const [signal, waitMs] of [
    ['SIGTERM', TERM_GRACE_MS],
    ['SIGKILL', KILL_WAIT_MS],
  ] as const) {
    if (!pids.length) return;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && pids.some(pidAlive)) await sleep(50);
    pids = pids.filter(pidAlive);
  }
  if (pids.length) errors.push(`processes ${pids.join(', ')} in ${ns} survived SIGKILL`);
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True while `pid` exists and is not a zombie. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

function runIp(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnProcess(IP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(timed out after ${IP_TIMEOUT_MS} ms)`;
      child.kill('SIGKILL');
    }, IP_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${e.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function parseNetnsList(out: string): string[] {
  // Lines look like "name" or "name (id: 3)".
  return out
    .split('\n')
    .map((l) => l.trim().split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Names from `ip netns list`. */
export async function listNamespaces(): Promise<string[]> {
  const r = await runIp(['netns', 'list']);
  if (r.code !== 0) throw new Error(`ip netns list failed: ${r.stderr.trim()}`);
  return parseNetnsList(r.stdout);
}

function listNamespacesSync(): string[] {
  const r = spawnSync(IP, ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  return r.status === 0 ? parseNetnsList(r.stdout) : [];
}

/** Last resort when the process exits without destroy(): SIGKILL tracked processes, delete namespaces. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const inst of liveInstances) {
      for (const p of inst.processes) p.kill('SIGKILL');
      for (const ns of [...inst.created].reverse()) {
        const pids = spawnSync(IP, ['netns', 'pids', ns], { encoding: 'utf8', timeout: 2_000 });
        for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
          try {
            if (pid > 0 && pid !== process.pid) process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        spawnSync(IP, ['netns', 'del', ns], { stdio: 'ignore', timeout: 2_000 });
      }
    }
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
