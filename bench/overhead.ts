/**
 * `npm run bench:overhead`: what authorization adds to the upgrade through the bundled reference
 * gateway, measured the way an `overhead:` block measures it: interleaved baseline/auth rounds,
 * differences with 95% bootstrap intervals, and the autocannon decomposition of the auth service.
 * The fixtures run in a child process (`wsgate fixtures`), so the client does not share their event loop.
 *
 *   npm run bench:overhead -- [--rounds 20] [--attempts 50] [--concurrency 1] [--auth-latency 0]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLog } from '../harness/cli/log.ts';
import { measureOverhead } from '../harness/overhead/measure.ts';
import { buildPlan } from '../harness/plan/plan.ts';
import { formatOverhead } from '../harness/report/text/overhead.ts';
import { parseScenario } from '../harness/scenario/read.ts';

const WSGATE = fileURLToPath(new URL('../bin/wsgate.js', import.meta.url));
const STARTUP_TIMEOUT_MS = 20_000;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    attempts: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '1' },
    'auth-latency': { type: 'string', default: '0' },
  },
});
const positive = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`bench:overhead: --${name} must be an integer >= ${min}, got "${text}"\n`);
    process.exit(2);
  }
  return n;
};
const rounds = positive('rounds', values.rounds, 2);
const attempts = positive('attempts', values.attempts, 1);
const concurrency = positive('concurrency', values.concurrency, 1);
const authLatency = positive('auth-latency', values['auth-latency'], 0);

/** Start `wsgate fixtures` and read the URLs it prints; resolves once it says the fixtures run. */
function startFixtureProcess(): Promise<{ child: ChildProcess; urls: Record<string, string> }> {
  const child = spawn(process.execPath, [WSGATE, 'fixtures', '--gateway', 'reference'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => fail(new Error(`fixtures did not start within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(err);
    };
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!stderr.includes('fixtures running')) return;
      clearTimeout(timer);
      const urls: Record<string, string> = {};
      for (const line of stdout.split('\n')) {
        const [name, url] = line.trim().split(/\s+/);
        if (name && url) urls[name] = url;
      }
      resolve({ child, urls });
    });
    child.once('exit', (code) => fail(new Error(`fixtures exited (${code}) before starting: ${stderr.trim()}`)));
  });
}

const SCENARIO = `name: bench-overhead
fixtures: true
targets:
  - name: baseline
    url: \${fixture:gateway.baseline}/echo
  - name: reference
    url: \${fixture:gateway}/echo
credentials:
  - name: valid-app
    expect: 200
    headers:
      X-IBM-Client-Id: a1f5c0de-orders-web
      X-IBM-Client-Secret: sk-orders-web-7Hq2xVb9LmPz
overhead:
  baseline: baseline
  auth: reference
  credential: valid-app
  concurrency: ${concurrency}
  rounds: ${rounds}
  attemptsPerRound: ${attempts}
  warmup: 50
  bootstrap: 2000
`;

const { child, urls } = await startFixtureProcess();
const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
try {
  const res = await fetch(urls['auth.control']!, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state: 'ok', latencyMs: authLatency }),
  });
  if (!res.ok) throw new Error(`auth control answered ${res.status}`);
  const scenario = parseScenario(SCENARIO, 'bench:overhead');
  const setup = (await buildPlan(scenario, urls)).overhead![0]!;
  const cpu = cpus();
  process.stdout.write(
    `bench:overhead — reference gateway, auth service latency injected: ${authLatency} ms; ` +
      `node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  // A live line on a terminal, one line per round in a log.
  const log = createLog(scenario.secrets);
  const result = await measureOverhead(setup, {
    signal: AbortSignal.timeout(10 * 60_000),
    onRound: (r, of) => log.progress(`round ${r}/${of}`),
  });
  log.info(`${result.roundsCompleted} rounds measured`);
  process.stdout.write(scenario.secrets.mask(formatOverhead(result)) + '\n');
  const ratio = result.auth.percentiles.p50 / result.baseline.percentiles.p50;
  process.stdout.write(
    `ratio auth/baseline at p50: ${ratio.toFixed(2)}x (measured side by side, interleaved, in ` +
      `this run; ${(result.durationMs / 1000).toFixed(1)} s)\n`,
  );
  process.stdout.write(`method: ${result.method.description}\n`);
} finally {
  child.kill('SIGTERM');
  await stopped;
}
