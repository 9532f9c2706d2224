/**
 * One side of bench:engine's CPU comparison, in a fresh process so its CPU time is its own:
 * `engine` runs wsgate's load engine for the given seconds (open model asked for more than it can
 * do, so maxInFlight is the cap);
 * `ws` runs a straightforward loop of `new WebSocket()` from `ws` with the same concurrency cap.
 * Prints one JSON line: handshakes, seconds, user and system CPU microseconds of the whole process
 * (start-up included) and of the loop alone. bench:engine runs it as one esbuild bundle, as load
 * workers run, so no TypeScript toolchain is loaded.
 */
import WebSocket from 'ws';
import { runLoad } from '../harness/load/engine.ts';
import { bareCredential, targetFromUrl } from '../harness/plan/direct.ts';

const [mode, url, countArg, capArg, rateArg, secondsArg] = process.argv.slice(2);
const count = Number(countArg);
const cap = Number(capArg);

async function wsLoop(): Promise<number> {
  let started = 0;
  let ok = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const one = () => {
      started++;
      const ws = new WebSocket(url!);
      const end = (upgraded: boolean) => {
        if (upgraded) ok++;
        if (++done === count) resolve();
        else if (started < count) one();
      };
      ws.on('open', () => {
        ws.terminate();
        end(true);
      });
      ws.on('error', () => end(false));
    };
    for (let i = 0; i < Math.min(cap, count); i++) one();
  });
  return ok;
}

let skipped = 0;

async function engine(): Promise<number> {
  const rate = Number(rateArg);
  const target = targetFromUrl('backend', url!, 5000);
  const cred = bareCredential('bench');
  const r = await runLoad({
    stages: [{ fromRate: rate, toRate: rate, durationMs: Number(secondsArg) * 1000 }],
    targets: [target],
    mix: [{ cred, weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: cap,
    sourceAddresses: [],
  });
  skipped = r.skippedMaxInFlight;
  return r.upgrades;
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const upgraded = mode === 'ws' ? await wsLoop() : await engine();
const seconds = (performance.now() - t0) / 1000;
const loop = process.cpuUsage(cpu0);
// Everything this process spent since it started, start-up (module loading, JIT) included.
const all = process.resourceUsage();
process.stdout.write(
  JSON.stringify({
    mode,
    upgraded,
    skipped,
    seconds,
    userUs: all.userCPUTime,
    systemUs: all.systemCPUTime,
    loopUserUs: loop.user,
    loopSystemUs: loop.system,
  }) + '\n',
);
