import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { type TestContext, test } from 'node:test';
import {
  createTestNetwork,
  listNamespaces,
  netnsSupport,
  sweepStale,
  type TestHost,
  type TestNetwork,
} from '../helpers/netns.ts';

const NODE = process.execPath;
const OWN_PREFIX = `wsg${process.pid}-`;
const support = netnsSupport();

/** Skip loudly when namespaces cannot work here; in CI that is a failure instead. */
function cannotRun(t: TestContext): boolean {
  if (support.ok) return false;
  const reason = `*** network-namespace tests cannot run: ${support.reason} ***`;
  if (process.env.CI) assert.fail(`${reason} (CI is set, so this fails instead of skipping)`);
  console.warn(`\n${reason}\n`);
  t.skip(reason);
  return true;
}

const ECHO_SERVER = `
const net = require('net');
const s = net.createServer((c) => { console.log('conn ' + c.remoteAddress); c.pipe(c); });
s.listen(7000, process.argv[1], () => console.log('listening'));
`;

const CLIENT = `
const net = require('net');
const [host, port, msg, local] = process.argv.slice(1);
const c = net.connect({ host, port: Number(port), localAddress: local || undefined });
let d = '';
c.setEncoding('utf8');
c.on('connect', () => c.end(msg));
c.on('data', (x) => (d += x));
c.on('end', () => { process.stdout.write(d); process.exit(0); });
c.on('error', (e) => { process.stderr.write(String(e.code)); process.exit(2); });
setTimeout(() => { process.stderr.write('TIMEOUT'); process.exit(3); }, 3000);
`;

function rootLinks(): string[] {
  const r = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8', timeout: 5000 });
  return r.stdout
    .split('\n')
    .map((l) => l.split(':')[1]?.trim() ?? '')
    .filter(Boolean)
    .sort();
}

function rootAddrs(): string {
  return spawnSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8', timeout: 5000 }).stdout;
}

function ownNamespaces(list: string[]): string[] {
  return list.filter((ns) => ns.startsWith(OWN_PREFIX));
}

/** The process no longer runs: it does not exist, or it is a zombie waiting for init to reap it. */
function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Resolve with the stdout line matching `re`, bounded by `ms`. */
function waitForLine(child: ChildProcess, re: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${re} within ${ms} ms; stdout=${out} stderr=${err}`)),
      ms,
    );
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => re.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing ${re}; stdout=${out} stderr=${err}`));
    });
  });
}

async function echoFrom(netw: TestNetwork, from: TestHost, to: string, msg: string, local = ''): Promise<string> {
  const r = await netw.exec(from, NODE, ['-e', CLIENT, to, '7000', msg, local], { timeoutMs: 8000 });
  assert.equal(r.code, 0, `client in ${from.ns} failed: ${r.stderr}`);
  return r.stdout;
}

test('three namespace hosts: echo across the segment, isolation from root, full cleanup', {
  timeout: 25_000,
}, async (t) => {
  if (cannotRun(t)) return;
  const linksBefore = rootLinks();
  const netw = await createTestNetwork(['runner1', 'runner2', 'runner3'], { extraAddresses: 2 });
  let server: ChildProcess | undefined;
  let grandchildPid = 0;
  const rootServer = net.createServer((c) => c.destroy());
  let rootConnections = 0;
  rootServer.on('connection', () => rootConnections++);
  try {
    const [h1, h2, h3] = netw.hosts as [TestHost, TestHost, TestHost];
    assert.deepEqual(
      netw.hosts.map((h) => h.address),
      ['198.18.0.11', '198.18.0.12', '198.18.0.13'],
    );
    assert.deepEqual(h1.addresses, ['198.18.0.11', '198.18.0.14', '198.18.0.15']);
    assert.deepEqual(h3.addresses, ['198.18.0.13', '198.18.0.18', '198.18.0.19']);
    for (const h of netw.hosts) assert.ok(h.ns.startsWith(netw.prefix) && netw.prefix.startsWith(OWN_PREFIX), h.ns);

    // The root namespace is untouched: no new interface, no 198.18 address.
    assert.deepEqual(rootLinks(), linksBefore, 'root namespace interfaces changed');
    assert.doesNotMatch(rootAddrs(), /198\.1[89]\./, 'a 198.18/15 address leaked into the root namespace');
    const names = await listNamespaces();
    for (const ns of netw.namespaces) assert.ok(names.includes(ns), `${ns} missing from ip netns list`);

    server = netw.spawn(h1, NODE, ['-e', ECHO_SERVER, h1.address]);
    await waitForLine(server, /^listening$/, 8000);
    const seen: string[] = [];
    server.stdout?.on('data', (d: string) => seen.push(...d.split('\n').filter(Boolean)));

    assert.equal(await echoFrom(netw, h2, h1.address, 'hello from runner2'), 'hello from runner2');
    assert.equal(await echoFrom(netw, h3, h1.address, 'hello from runner3'), 'hello from runner3');
    // An extra source address of host 3 works too.
    assert.equal(await echoFrom(netw, h3, h1.address, 'via extra address', h3.addresses[2]), 'via extra address');
    const deadline = Date.now() + 3000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['conn 198.18.0.12', 'conn 198.18.0.13', 'conn 198.18.0.19']);

    // Root namespace loopback services are not reachable from inside a host.
    await new Promise<void>((resolve, reject) =>
      rootServer.once('error', reject).listen(0, '127.0.0.1', () => resolve()),
    );
    const rootPort = (rootServer.address() as net.AddressInfo).port;
    const probe = await netw.exec(h2, NODE, ['-e', CLIENT, '127.0.0.1', String(rootPort), 'x', ''], {
      timeoutMs: 8000,
    });
    assert.equal(probe.code, 2, `expected a failed connect, got code ${probe.code} stdout=${probe.stdout}`);
    assert.equal(probe.stderr, 'ECONNREFUSED');
    assert.equal(rootConnections, 0, 'the root loopback server was reached from a namespace');

    // No default route, nothing outside the segment is routable.
    const routes = await netw.exec(h2, 'ip', ['route'], { timeoutMs: 5000 });
    assert.equal(routes.code, 0, routes.stderr);
    assert.match(routes.stdout, /^198\.18\.0\.0\/24 dev eth0/m);
    assert.doesNotMatch(routes.stdout, /^default/m);
    const routes6 = await netw.exec(h2, 'ip', ['-6', 'route'], { timeoutMs: 5000 });
    assert.doesNotMatch(routes6.stdout, /^default/m);
    const outside = await netw.exec(h2, 'ip', ['route', 'get', '1.1.1.1'], { timeoutMs: 5000 });
    assert.notEqual(outside.code, 0);
    assert.match(outside.stderr, /unreachable/i);

    // Load-test tuning is applied per namespace.
    const range = await netw.exec(h2, 'sysctl', ['-n', 'net.ipv4.ip_local_port_range'], { timeoutMs: 5000 });
    if (range.code === 0) assert.match(range.stdout, /^1024\s+65000/);

    // exec() is bounded: a hanging command is killed and rejected.
    const started = Date.now();
    await assert.rejects(netw.exec(h3, 'sleep', ['30'], { timeoutMs: 300 }), /timed out after 300 ms/);
    assert.ok(Date.now() - started < 5000);

    // A grandchild (not started by us directly) is removed by destroy() as well.
    const shell = netw.spawn(h3, 'sh', ['-c', 'sleep 60 & echo $!; wait']);
    grandchildPid = Number(await waitForLine(shell, /^\d+$/, 5000));
    assert.ok(grandchildPid > 0);

    // A live network's namespaces survive sweepStale().
    const swept = await sweepStale();
    for (const ns of netw.namespaces) assert.ok(!swept.includes(ns), `sweepStale removed live ${ns}`);
  } finally {
    rootServer.close();
    await netw.destroy();
  }

  const after = await listNamespaces();
  for (const ns of netw.namespaces) assert.ok(!after.includes(ns), `${ns} still listed after destroy()`);
  assert.ok(server?.pid !== undefined);
  assert.ok(server.exitCode !== null || server.signalCode !== null, 'server ChildProcess has not exited');
  assert.ok(pidGone(server.pid), `server pid ${server.pid} still exists`);
  assert.ok(pidGone(grandchildPid), `grandchild pid ${grandchildPid} still exists`);
  assert.deepEqual(rootLinks(), linksBefore);
  await netw.destroy(); // idempotent
  await Promise.all([netw.destroy(), netw.destroy()]);
  assert.throws(() => netw.spawn(netw.hosts[0]!, 'true', []), /destroyed/);
});

test('a failed setup leaves nothing behind', { timeout: 15_000 }, async (t) => {
  if (cannotRun(t)) return;
  const before = ownNamespaces(await listNamespaces());
  const linksBefore = rootLinks();
  // The switch and two hosts (with veths and bridge ports) exist when `ip netns add` refuses 'bad/name'.
  await assert.rejects(createTestNetwork(['ok1', 'ok2', 'bad/name']), (e: Error) => {
    assert.match(e.message, /partial setup removed/);
    assert.match(e.message, /bad\/name/);
    return true;
  });
  assert.deepEqual(ownNamespaces(await listNamespaces()), before);
  assert.deepEqual(rootLinks(), linksBefore);

  // Input rejected before anything is created.
  await assert.rejects(createTestNetwork(['a', 'a']), /duplicate host name/);
  await assert.rejects(createTestNetwork(['-x']), /invalid host name/);
  await assert.rejects(createTestNetwork([]), /at least one host/);
  await assert.rejects(createTestNetwork(['a', 'b'], { extraAddresses: 200 }), /do not fit/);
  assert.deepEqual(ownNamespaces(await listNamespaces()), before);
});

test('sweepStale removes leftovers of dead processes, including processes inside them', {
  timeout: 15_000,
}, async (t) => {
  if (cannotRun(t)) return;
  const deadPid = spawnSync('true').pid;
  assert.ok(deadPid && pidGone(deadPid));
  const stale = `wsg${deadPid}-1-sw`;
  const add = spawnSync('ip', ['netns', 'add', stale], { encoding: 'utf8', timeout: 5000 });
  assert.equal(add.status, 0, add.stderr);
  let sleeper: ChildProcess | undefined;
  try {
    sleeper = spawn('ip', ['netns', 'exec', stale, 'sleep', '60'], { stdio: 'ignore' });
    const pid = sleeper.pid;
    assert.ok(pid);
    // Wait (bounded) until the sleeper has entered the namespace.
    const deadline = Date.now() + 3000;
    let inside = '';
    while (Date.now() < deadline && !inside.split(/\s+/).includes(String(pid))) {
      inside = spawnSync('ip', ['netns', 'pids', stale], { encoding: 'utf8', timeout: 2000 }).stdout;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(inside.split(/\s+/).includes(String(pid)), 'sleeper never entered the stale namespace');

    const swept = await sweepStale();
    assert.ok(swept.includes(stale), `swept: ${swept.join(', ')}`);
    assert.ok(!(await listNamespaces()).includes(stale));
    const exitDeadline = Date.now() + 3000;
    while (Date.now() < exitDeadline && sleeper.exitCode === null && sleeper.signalCode === null)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(sleeper.signalCode, 'SIGTERM');
  } finally {
    if (sleeper && sleeper.exitCode === null && sleeper.signalCode === null) sleeper.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', stale], { stdio: 'ignore', timeout: 5000 });
  }
});
