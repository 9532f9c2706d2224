/**
 * bench:engine — what the load engine costs, how much it holds and whether it stays flat, measured
 * side by side in one run against the bundled echo backend on loopback:
 *
 * 1. CPU per handshake against the physical limit: a minimal C epoll client (bench/c), wsgate's
 *    engine and a plain loop of `new WebSocket()` from `ws`, each in a fresh process pinned to one
 *    core while the backend is pinned to the other, alternated; the same handshakes at the same cap
 *    in flight. The Node clients run as one esbuild bundle (as load workers do) and their CPU
 *    includes their start-up.
 * 2. Held connections: the engine's closed model over worker processes and 127.0.0.x source
 *    addresses, straight to a clustered backend; the harness's memory per held connection, all
 *    workers included (RSS summed, and PSS, which counts the Node binary's shared pages once).
 * 3. A soak in the open model: resident memory of the workers sampled over a million attempts.
 *
 * Not a test: it prints figures (and exits 1 when a target is missed) for a closing note or a
 * nightly log. Run it with nothing else busy. Environment: BENCH_HANDSHAKES (20000), BENCH_CAP (50),
 * BENCH_ROUNDS (3), BENCH_HELD (100000), BENCH_SOAK (1000000 attempts), BENCH_SOAK_RATE (3000/s),
 * BENCH_PARTS (e.g. "1,3" to run some parts only).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startClusteredBackend } from '../fixtures/cluster/index.ts';
import { bundleScript } from '../harness/load/worker-build.ts';
import { LOAD_PROCESS_FLAGS, runDistributed } from '../harness/load/workers.ts';
import { bareCredential, targetFromUrl } from '../harness/plan/direct.ts';
import type { LoadPlan } from '../harness/plan/load.ts';
import type { PlannedTarget } from '../harness/plan/plan.ts';
import { FD_RESERVE, hostLimits, planSpread } from '../harness/plan/spread.ts';
import { type ReferenceResult, runReferenceClient } from './c/reference-client.ts';

const run = promisify(execFile);
const CLIENT = fileURLToPath(new URL('./handshake-client.ts', import.meta.url));
const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 20_000);
const CAP = Number(process.env.BENCH_CAP ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HELD = Number(process.env.BENCH_HELD ?? 100_000);
const SOAK = Number(process.env.BENCH_SOAK ?? 1_000_000);
const SOAK_RATE = Number(process.env.BENCH_SOAK_RATE ?? 3000);
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3').split(',').map((p) => p.trim()));
/** The backend's core and the clients' core in part 1. */
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const started = performance.now();

interface Trial {
  mode: 'c' | 'engine' | 'ws';
  upgraded: number;
  seconds: number;
  /** Whole process, start-up included. */
  userUs: number;
  systemUs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 1) => n.toFixed(d);
const mib = (bytes: number) => fmt(bytes / 2 ** 20);

function target(url: string, path: string): PlannedTarget {
  return targetFromUrl('backend', `${url}${path}`);
}

const CRED = bareCredential('bench');

function planFor(t: PlannedTarget, rest: Partial<LoadPlan>): LoadPlan {
  return {
    stages: [],
    targets: [t],
    mix: [{ cred: CRED, weight: 1, expected: new Map([[t.name, ['upgraded']]]) }],
    maxInFlight: 2000,
    sourceAddresses: [],
    onSaturation: 'warn',
    ...rest,
  };
}

/** Pin every thread of the processes to one CPU. */
async function pin(pids: readonly number[], cpu: number): Promise<void> {
  for (const pid of pids) await run('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]);
}

async function nodeClient(script: string, mode: 'engine' | 'ws', url: string, rate: number): Promise<Trial> {
  const seconds = rate > 0 ? HANDSHAKES / rate : 0;
  const { stdout } = await run(
    'taskset',
    [
      '-c',
      String(CLIENT_CPU),
      process.execPath,
      ...(mode === 'engine' ? LOAD_PROCESS_FLAGS : []),
      script,
      mode,
      url,
      String(HANDSHAKES),
      String(CAP),
      String(rate),
      String(seconds),
    ],
    { timeout: 180_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Trial;
}

/** Part 1: CPU per handshake of C, the engine and `ws`, pinned apart from the backend. */
async function cpuPerHandshake(): Promise<{ engineVsC: number; engineVsWs: number }> {
  const script = await bundleScript(CLIENT, 'bench-handshake-client');
  const backend = await startClusteredBackend({ processes: 1 });
  try {
    await pin(backend.pids, SERVER_CPU);
    const url = `${backend.url}/bench`;
    const trials: Trial[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c: ReferenceResult = await runReferenceClient({
        url,
        count: HANDSHAKES,
        concurrency: CAP,
        cpu: CLIENT_CPU,
      });
      // The engine's open model offers the rate the C client reached against the same pinned backend
      // (the backend's core is the bottleneck), with maxInFlight at the cap: what it schedules over the
      // cap is skipped and counted, and that (small) cost is in its CPU. CPU is per completed handshake.
      const engine = await nodeClient(script, 'engine', url, Math.round(c.upgraded / c.seconds));
      const ws = await nodeClient(script, 'ws', url, 0);
      trials.push({ ...c }, engine, ws);
      for (const t of [c, engine, ws])
        if (t.upgraded < HANDSHAKES / 2) throw new Error(`${t.mode}: only ${t.upgraded} upgraded`);
    }
    const per = (mode: Trial['mode']) => {
      const ts = trials.filter((t) => t.mode === mode);
      return {
        cpu: median(ts.map((t) => (t.userUs + t.systemUs) / t.upgraded)),
        user: median(ts.map((t) => t.userUs / t.upgraded)),
        system: median(ts.map((t) => t.systemUs / t.upgraded)),
        rate: median(ts.map((t) => t.upgraded / t.seconds)),
        all: ts.map((t) => fmt((t.userUs + t.systemUs) / t.upgraded)).join(' '),
      };
    };
    const rows = [
      ['(c) C epoll client (bench/c)', per('c')],
      ['(a) wsgate engine', per('engine')],
      ['(b) ws: loop of new WebSocket()', per('ws')],
    ] as const;
    console.log(
      `\n1. CPU per handshake: ${HANDSHAKES} upgrades at ${CAP} in flight, ${ROUNDS} alternated rounds, medians; ` +
        `echo backend pinned to CPU ${SERVER_CPU}, each client a fresh process pinned to CPU ${CLIENT_CPU} ` +
        '(Node clients: start-up included)',
    );
    console.log(
      `   ${'client'.padEnd(34)}${'handshakes/s'.padStart(13)}${'CPU us/hs'.padStart(11)}${'user'.padStart(8)}` +
        `${'sys'.padStart(8)}   every trial`,
    );
    for (const [name, r] of rows)
      console.log(
        `   ${name.padEnd(34)}${fmt(r.rate, 0).padStart(13)}${fmt(r.cpu).padStart(11)}${fmt(r.user).padStart(8)}` +
          `${fmt(r.system).padStart(8)}   ${r.all}`,
      );
    const c = per('c').cpu;
    const e = per('engine').cpu;
    const w = per('ws').cpu;
    console.log(
      `   ratios: engine/C ${fmt(e / c, 2)} (target <= 1.50), engine/ws ${fmt(e / w, 2)} (target <= 0.50), ` +
        `ws/C ${fmt(w / c, 2)}`,
    );
    return { engineVsC: e / c, engineVsWs: e / w };
  } finally {
    await backend.stop();
  }
}

/**
 * This process's children that are load workers, as far as seen so far: under 100,000 held, scans
 * at 45 s found 1 or 2 of 6 workers while `ps` listed all 6 (cause not found), so a worker once seen
 * is kept until its /proc entry is gone.
 */
const seenWorkers = new Set<number>();
function workerPids(): number[] {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || seenWorkers.has(Number(name))) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('load-worker-'))
        seenWorkers.add(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  for (const pid of seenWorkers) if (!existsSync(`/proc/${pid}`)) seenWorkers.delete(pid);
  return [...seenWorkers];
}

/** Resident memory of processes now: RSS summed, and PSS (shared pages split between their users). */
function memoryOf(pids: readonly number[]): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return { rss, pss };
}

/** Part 2: HELD connections held at once; the workers' memory per connection, baseline included. */
async function held(): Promise<{ peak: number; rssPerConn: number; pssPerConn: number }> {
  // A backend process holds at most ~19,500 (20,000 open files, 500 kept): enough of them, and a spare.
  const backends = Math.ceil(HELD / 15_000) + 1;
  const backend = await startClusteredBackend({ processes: backends });
  try {
    const t = target(backend.url, '/held');
    const maxInFlight = 2000;
    // The fewest workers whose descriptors hold the peak: each worker's runtime is memory too.
    const limits = hostLimits();
    const workers = Math.max(limits.cores, Math.ceil((HELD + maxInFlight) / (limits.openFiles - FD_RESERVE)));
    const spread = planSpread({ held: HELD, maxInFlight, destinations: [t.destination], workers }, limits);
    const hold = {
      count: HELD,
      rampUpMs: Math.max(10_000, HELD / 2),
      holdMs: 15_000,
      messageEveryMs: 20_000,
      messageBytes: 32,
      messageTimeoutMs: 10_000,
    };
    console.log(
      `\n2. held connections: ${HELD} to one backend port (${backends} backend processes) over ${spread.workers} ` +
        `worker processes from ${[...new Set(spread.sourceAddresses.flat())].length} source addresses; ramp ` +
        `${hold.rampUpMs / 1000}s, hold ${hold.holdMs / 1000}s, a message every ${hold.messageEveryMs / 1000}s each`,
    );
    let idle: { rss: number; pss: number } | undefined;
    let atPeak = { rss: 0, pss: 0, open: 0 };
    const r = await runDistributed(planFor(t, { maxInFlight, hold }), spread, {
      onSecond: (s) => {
        const pids = workerPids();
        const mem = memoryOf(pids);
        idle ??= mem;
        // Only while every worker runs: once some have finished, their memory is no longer counted.
        if (pids.length === spread.workers && s.open >= atPeak.open) atPeak = { ...mem, open: s.open };
        if (s.t % 5 === 4)
          console.log(
            `   ${String(s.t + 1).padStart(3)}s  open ${String(s.open).padStart(6)}  upgrades/s ${s.upgrades}  ` +
              `errors ${s.errors}  dropped ${s.dropped ?? 0}  ${pids.length} workers RSS ${mib(mem.rss)} MiB, ` +
              `PSS ${mib(mem.pss)} MiB`,
          );
      },
    });
    const h = r.held!;
    console.log(
      `   peak held ${h.peak} of ${HELD}; opened ${h.opened}, dropped ${h.dropped}, outcomes ` +
        `${JSON.stringify(r.outcomes)}; echoes ${h.echoes}/${h.messages}` +
        (h.rtt ? `, message RTT p50 ${h.rtt.p50} ms p99 ${h.rtt.p99} ms` : ''),
    );
    const rssPerConn = atPeak.rss / Math.max(1, atPeak.open);
    const pssPerConn = atPeak.pss / Math.max(1, atPeak.open);
    console.log(
      `   workers' memory with ${atPeak.open} open: RSS ${mib(atPeak.rss)} MiB summed = ${fmt(rssPerConn / 1024, 2)} ` +
        `KiB per held connection; PSS ${mib(atPeak.pss)} MiB = ${fmt(pssPerConn / 1024, 2)} KiB (target <= 3, all ` +
        `workers included); at the first second: RSS ${mib(idle?.rss ?? 0)} MiB, PSS ${mib(idle?.pss ?? 0)} MiB`,
    );
    return { peak: h.peak, rssPerConn, pssPerConn };
  } finally {
    await backend.stop();
  }
}

/** Part 3: SOAK attempts in the open model; the workers' RSS must stay within 10% after warm-up. */
async function soak(): Promise<{ spread: number; drift: number; attempts: number }> {
  const backend = await startClusteredBackend({ processes: availableParallelism() });
  try {
    const t = target(backend.url, '/soak');
    const seconds = Math.ceil(SOAK / SOAK_RATE);
    const spreadPlan = planSpread({ held: 0, maxInFlight: 2000, destinations: [t.destination] });
    const samples: number[] = [];
    console.log(
      `\n3. soak: ${SOAK} attempts at ${SOAK_RATE}/s (${seconds} s) over ${spreadPlan.workers} workers; workers' ` +
        'RSS sampled each second',
    );
    const r = await runDistributed(
      planFor(t, { stages: [{ fromRate: SOAK_RATE, toRate: SOAK_RATE, durationMs: seconds * 1000 }] }),
      spreadPlan,
      {
        onSecond: (s) => {
          samples.push(memoryOf(workerPids()).rss);
          if (s.t % 20 === 19)
            console.log(
              `   ${String(s.t + 1).padStart(4)}s  attempts/s ${s.attempts}  errors ${s.errors}  workers RSS ` +
                `${mib(samples.at(-1)!)} MiB`,
            );
        },
      },
    );
    // Warm-up: the first 10% of the run (JIT, pools, histograms sized). Flat means every sample within
    // ±10% of the level (the median: a GC moves single samples both ways), and no drift: the median of
    // the last third within 10% of the first third's.
    const after = samples.slice(Math.ceil(samples.length / 10));
    const level = median(after);
    const spreadShare = Math.max(...after.map((x) => Math.abs(x - level) / level));
    const third = Math.max(1, Math.floor(after.length / 3));
    const drift = median(after.slice(-third)) / median(after.slice(0, third)) - 1;
    console.log(
      `   ${r.attempts} attempts, ${r.upgrades} upgraded, ${r.unexpected} unexpected, skipped ` +
        `${r.skippedMaxInFlight}; after warm-up the workers' RSS stayed within ${mib(Math.min(...after))}-` +
        `${mib(Math.max(...after))} MiB, at most ${fmt(spreadShare * 100)}% from its median ${mib(level)} MiB ` +
        `(target <= 10%); last third against first third ${drift >= 0 ? '+' : ''}${fmt(drift * 100)}% ` +
        `(target within 10%)`,
    );
    if (Math.abs(drift) > 0.1) console.log(`   drift ${fmt(drift * 100)}%: look for a leak`);
    return { spread: spreadShare, drift, attempts: r.attempts };
  } finally {
    await backend.stop();
  }
}

const misses: string[] = [];
if (PARTS.has('1')) {
  const cpu = await cpuPerHandshake();
  if (cpu.engineVsC > 1.5) misses.push(`engine/C ${fmt(cpu.engineVsC, 2)} > 1.50`);
  if (cpu.engineVsWs > 0.5) misses.push(`engine/ws ${fmt(cpu.engineVsWs, 2)} > 0.50`);
}
if (PARTS.has('2')) {
  const h = await held();
  if (h.peak < HELD) misses.push(`peak held ${h.peak} < ${HELD}`);
  if (h.pssPerConn > 3072) misses.push(`PSS per held connection ${fmt(h.pssPerConn / 1024, 2)} KiB > 3`);
  if (h.rssPerConn > 3072) misses.push(`RSS per held connection ${fmt(h.rssPerConn / 1024, 2)} KiB > 3`);
}
if (PARTS.has('3')) {
  const s = await soak();
  if (s.attempts < SOAK) misses.push(`soak made ${s.attempts} attempts < ${SOAK}`);
  if (s.spread > 0.1) misses.push(`RSS moved ${fmt(s.spread * 100)}% from its level after warm-up in the soak`);
  if (Math.abs(s.drift) > 0.1) misses.push(`RSS drifted ${fmt(s.drift * 100)}% over the soak`);
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\nbench:engine ${misses.length === 0 ? 'met every target' : `missed: ${misses.join('; ')}`} (${fmt(seconds, 0)} s)`,
);
process.exitCode = misses.length === 0 ? 0 : 1;
