/**
 * bench:trend — how often `wsgate trend` and a `compare:` block call noise a change, and how often
 * they see a real one, measured on real runs through the bundled fixtures on this machine.
 *
 * 1. Trend: BENCH_TREND_RUNS identical short load runs, then BENCH_TREND_SHIFTED runs with the auth
 *    service answering BENCH_SHIFT_MS later. False alarms: each identical run judged against the
 *    previous 7 (any metric flagged counts). Detection: each shifted run judged against 7 identical
 *    ones (handshake.p50 flagged counts).
 * 2. Compare: BENCH_COMPARE_RUNS comparisons of a gateway with itself (any verdict other than "no
 *    detectable difference" counts as a false alarm), then as many of a gateway against one whose
 *    auth service answers BENCH_SHIFT_MS later ("slower" counts as detected).
 *
 * Targets (the issue's): at most 5% false alarms over at least 20 evaluations, at least 95%
 * detection. Exits 1 when one is missed. Bounded: every run is short and counted.
 */

import { FIXTURE_CREDENTIALS } from '../fixtures/auth-registry.ts';
import { startAuthService } from '../fixtures/auth-service.ts';
import { startEchoBackend } from '../fixtures/echo-backend.ts';
import { startReferenceGateway } from '../fixtures/node-gateway/reference-gateway.ts';
import { trends } from '../harness/analysis/trend.ts';
import { executeRun } from '../harness/cli/execute.ts';
import type { Log } from '../harness/cli/log.ts';
import type { Summary } from '../harness/model/summary.ts';
import { parseScenario } from '../harness/scenario/read.ts';

const WINDOW = 7;
const TREND_RUNS = Number(process.env.BENCH_TREND_RUNS ?? 28);
const TREND_SHIFTED = Number(process.env.BENCH_TREND_SHIFTED ?? 20);
const COMPARE_RUNS = Number(process.env.BENCH_COMPARE_RUNS ?? 20);
const SHIFT_MS = Number(process.env.BENCH_SHIFT_MS ?? 5);
const app = FIXTURE_CREDENTIALS.validApp;
const started = performance.now();

const backend = await startEchoBackend();
const auth = await startAuthService();
const slowAuth = await startAuthService();
await slowAuth.setState({ latencyMs: SHIFT_MS });
const gateway = await startReferenceGateway({ backendUrl: backend.url, authUrl: auth.url });
const slowGateway = await startReferenceGateway({ backendUrl: backend.url, authUrl: slowAuth.url });
const credentials = `credentials:
  - name: valid
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }`;

/** Nothing printed per run: this benchmark prints its own lines. */
const silent: Log = {
  quiet: true,
  info: () => undefined,
  warn: () => undefined,
  progress: () => undefined,
  result: () => undefined,
};

/** One `wsgate run` in this process, quiet, its report in a scratch folder; returns its summary. */
async function run(text: string, i: number): Promise<Summary> {
  const scenario = parseScenario(text, 'bench-trend.yaml');
  const outcome = await executeRun(scenario, {
    command: 'run',
    outDir: `/tmp/wsgate-bench-trend/${process.pid}-${i}`,
    log: silent,
  });
  return outcome.summary;
}

const loadScenario = (url: string) => `name: bench-trend
targets: [{ name: gw, url: "${url}/echo" }]
${credentials}
load:
  arrivalRate: [{ rate: 250, duration: 4s }]
  workers: 1
`;

try {
  // 1. Trend.
  const identical: Summary[] = [];
  for (let i = 0; i < TREND_RUNS; i++) identical.push(await run(loadScenario(gateway.url), i));
  const shifted: Summary[] = [];
  for (let i = 0; i < TREND_SHIFTED; i++) shifted.push(await run(loadScenario(slowGateway.url), 1000 + i));
  let falseAlarms = 0;
  const alarmed: string[] = [];
  const evaluations = TREND_RUNS - WINDOW;
  for (let i = 0; i < evaluations; i++) {
    const flagged = trends(identical.slice(i, i + WINDOW + 1), { window: WINDOW }).metrics.filter((m) => m.regression);
    if (flagged.length > 0) {
      falseAlarms++;
      alarmed.push(...flagged.map((m) => m.metric));
    }
  }
  let detected = 0;
  let judged = 0;
  for (let i = 0; i < TREND_SHIFTED; i++) {
    const window = identical.slice(i % (TREND_RUNS - WINDOW), (i % (TREND_RUNS - WINDOW)) + WINDOW);
    const report = trends([...window, shifted[i]!], { window: WINDOW });
    judged = report.judged;
    if (report.metrics.find((m) => m.metric === 'handshake.p50')?.regression) detected++;
  }
  const p50 = (s: Summary[]) =>
    s.map((x) => x.metrics['handshake.p50'] ?? Number.NaN).sort((a, b) => a - b)[s.length >> 1]!;

  // 2. Compare.
  const compareScenario = (b: string) => `name: bench-compare
targets:
  - { name: a, url: "${gateway.url}/echo" }
  - { name: b, url: "${b}/echo" }
${credentials}
compare: { credential: valid, rounds: 8, attemptsPerRound: 30, percentiles: [50, 95] }
`;
  let sameAlarms = 0;
  for (let i = 0; i < COMPARE_RUNS; i++) {
    const c = (await run(compareScenario(gateway.url), 2000 + i)).comparison!;
    if (c.differences.some((d) => d.verdict === 'faster' || d.verdict === 'slower')) sameAlarms++;
  }
  let slowerSeen = 0;
  for (let i = 0; i < COMPARE_RUNS; i++) {
    const c = (await run(compareScenario(slowGateway.url), 3000 + i)).comparison!;
    if (c.differences.find((d) => d.percentile === 50)?.verdict === 'slower') slowerSeen++;
  }

  const rate = (n: number, of: number) => `${n}/${of} = ${((100 * n) / of).toFixed(1)}%`;
  const seconds = (performance.now() - started) / 1000;
  console.log(`bench:trend — ${TREND_RUNS} identical runs (250 upgrades/s for 4 s through the reference gateway), `);
  console.log(
    `  ${TREND_SHIFTED} runs with the auth service ${SHIFT_MS} ms slower; compare: ${COMPARE_RUNS} runs each`,
  );
  console.log(`  handshake p50: ${p50(identical).toFixed(3)} ms identical, ${p50(shifted).toFixed(3)} ms shifted`);
  console.log(`trend, window ${WINDOW}, ${judged} metrics judged per evaluation:`);
  console.log(
    `  false alarms (any metric, identical runs): ${rate(falseAlarms, evaluations)}` +
      `${alarmed.length ? ` (${[...new Set(alarmed)].join(', ')})` : ''}`,
  );
  console.log(`  detection of +${SHIFT_MS} ms auth latency at handshake.p50: ${rate(detected, TREND_SHIFTED)}`);
  console.log('compare (interleaved rounds, p50 and p95, 95% family-wise):');
  console.log(`  a gateway against itself called faster or slower: ${rate(sameAlarms, COMPARE_RUNS)}`);
  console.log(`  a gateway against one ${SHIFT_MS} ms slower called slower at p50: ${rate(slowerSeen, COMPARE_RUNS)}`);
  const misses = [
    evaluations < 20 ? `only ${evaluations} trend evaluations (< 20)` : undefined,
    falseAlarms / evaluations > 0.05 ? 'trend false alarms above 5%' : undefined,
    detected / TREND_SHIFTED < 0.95 ? 'trend detection below 95%' : undefined,
    sameAlarms / COMPARE_RUNS > 0.05 ? 'compare false alarms above 5%' : undefined,
    slowerSeen / COMPARE_RUNS < 0.95 ? 'compare detection below 95%' : undefined,
  ].filter(Boolean);
  console.log(
    `bench:trend ${misses.length ? `missed: ${misses.join('; ')}` : 'met every target'} (${seconds.toFixed(0)} s)`,
  );
  if (misses.length) process.exitCode = 1;
} finally {
  await Promise.all([gateway.stop(), slowGateway.stop()]);
  await Promise.all([auth.stop(), slowAuth.stop(), backend.stop()]);
}
