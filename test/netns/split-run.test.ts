import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { decodeFromCompressedBase64, type JsHistogram } from 'hdr-histogram-js';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { WSGATE } from '../helpers/cli.ts';
import { createTestNetwork, type ExecResult, netnsSupport, type TestHost, type TestNetwork } from '../helpers/netns.ts';

const NODE = process.execPath;
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

/**
 * One deterministic scenario: 60 arrivals (30/s for 2 s, 3 valid : 1 wrong secret) and 90
 * connections held through the gateway in another namespace, with thresholds only the whole can
 * pass. maxInFlight 150 is every attempt of the scenario, and the timeouts are long: on a busy
 * machine no attempt can be skipped or time out, so the counts cannot depend on its load. The plan's
 * peak (90 held + 150 in flight) is more than one address has ports for in the runners' narrowed
 * port range, while a third of it (and its closed ports in TIME_WAIT) fits.
 */
function scenario(gateway: string): string {
  return `name: split-netns
targets:
  - name: gateway
    url: ${gateway}/echo
    timeouts: { connect: 10s, handshake: 10s }
credentials:
  - name: valid-app
    expect: 200
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-orders-web-7Hq2xVb9LmPz }
    weight: 3
  - name: wrong-secret
    expect: 401
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-not-the-right-one }
    weight: 1
load:
  arrivalRate:
    - { rate: 30, duration: 2s }
  connections: { count: 90, rampUp: 1500ms, hold: 1s, messageEvery: 0s }
  maxInFlight: 150
  workers: 1
  saturation: warn
thresholds:
  - unexpected_outcomes == 0
  - checks_failed == 0
  - attempts == 150
  - held_peak == 90
  - handshake.p99 < 3s
`;
}

/** Runner namespaces get 100 ephemeral ports: at most 90 connections to one destination from one address. */
const NARROW_PORTS = '40000 40099';

async function wsgate(netw: TestNetwork, host: TestHost, args: string[], timeoutMs = 60_000): Promise<ExecResult> {
  return netw.exec(host, NODE, [WSGATE, ...args], { timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
}

function read(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

/** What must be equal however the load was split: counts, per set, held connections. */
function totals(s: Summary) {
  const l = s.load!;
  return {
    scheduled: l.scheduled,
    attempts: l.attempts,
    upgrades: l.upgrades,
    unexpected: l.unexpected,
    outcomes: l.outcomes,
    handshakes: l.handshake?.count,
    sets: Object.fromEntries(l.sets.map((x) => [`${x.target}/${x.credential}`, [x.attempts, x.outcomes]])),
    held: { target: l.held?.target, opened: l.held?.opened, closedClean: l.held?.closedClean },
    checks: [s.conformance?.passed, s.conformance?.failed],
  };
}

/**
 * Percentiles of one histogram holding every sample of the parts, built by recording each part's
 * recorded values again (not by adding histograms, which is what the merge does).
 */
function unionOf(encoded: string[]) {
  const union = new LatencyRecorder();
  for (const base64 of encoded) {
    const h = decodeFromCompressedBase64(base64, 32, false) as JsHistogram;
    for (let i = 0; i < h.countsArrayLength; i++) {
      const count = h.getCountAtIndex(i);
      for (let k = 0; k < count; k++) union.record(h.valueFromIndex(i) / 1000);
    }
    h.destroy();
  }
  const s = union.summary()!;
  union.destroy();
  return s;
}

test('one scenario as 1 segment and as 3 runners in their own namespaces: equal merged totals, percentiles of the ' +
  'union, thresholds on merged data, a missing runner is exit 3, skew reported', { timeout: 240_000 }, async (t) => {
  if (cannotRun(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'wsgate-split-'));
  const netw = await createTestNetwork(['gateway', 'single', 'runner1', 'runner2', 'runner3']);
  let gatewayProcess: ChildProcess | undefined;
  try {
    const [gw, single, ...runners] = netw.hosts as [TestHost, TestHost, TestHost, TestHost, TestHost];
    gatewayProcess = netw.spawn(
      gw,
      NODE,
      ['--import', 'tsx', join(import.meta.dirname, '../helpers/gateway-host.ts'), gw.address, '8080'],
      {
        cwd: join(import.meta.dirname, '../..'),
      },
    );
    const ready = JSON.parse(await firstLine(gatewayProcess, 20_000)) as { gateway: string };
    assert.equal(ready.gateway, `ws://${gw.address}:8080`);
    const file = join(dir, 'split.yaml');
    writeFileSync(file, scenario(ready.gateway));
    for (const r of runners) {
      const set = await netw.exec(r, 'sysctl', ['-q', '-w', `net.ipv4.ip_local_port_range=${NARROW_PORTS}`]);
      assert.equal(set.code, 0, set.stderr);
    }

    // One runner with the runners' narrow port range cannot hold the whole: refused before anything starts.
    const tooBig = await wsgate(netw, runners[0], ['run', file, '--segment', '1/1', '--out', join(dir, 'refused')]);
    assert.equal(tooBig.code, 2, tooBig.stderr);
    assert.match(tooBig.stderr, /240 connections to one destination need more ephemeral ports than one address pair/);
    assert.ok(!existsSync(join(dir, 'refused')), 'nothing is written for an invalid plan');

    // The whole scenario as one segment, from a host with the full port range.
    const spawnedAt = Date.now();
    const whole = await wsgate(netw, single, ['run', file, '--segment', '1/1', '--out', join(dir, 'whole')]);
    assert.equal(whole.code, 0, `${whole.stdout}\n${whole.stderr}`);
    const one = await wsgate(netw, single, ['merge', join(dir, 'whole'), '--out', join(dir, 'merged-1')]);
    assert.equal(one.code, 0, one.stderr);

    // Three runners, one segment each, all starting their schedule at one instant. Lead time: spawning to the
    // load took readyMs for the whole run (process start, conformance); three runners at once get 3 times that.
    // A machine busier than that makes a runner refuse its late start (exit 3, asserted below as exactly that
    // refusal); then the three run once more with twice the lead and the lateness seen.
    const readyMs = Date.parse(read(join(dir, 'whole')).load!.startedAt!) - spawnedAt;
    let leadMs = Math.min(30_000, Math.max(5000, 3 * readyMs));
    let parts: ExecResult[] = [];
    let startAt = '';
    for (let round = 1; round <= 2; round++) {
      rmSync(join(dir, 'parts'), { recursive: true, force: true });
      startAt = new Date(Date.now() + leadMs).toISOString();
      parts = await Promise.all(
        runners.map((r, i) =>
          wsgate(netw, r, [
            'run',
            file,
            '--segment',
            `${i + 1}/3`,
            '--start-at',
            startAt,
            '--out',
            join(dir, 'parts', `segment-${i + 1}`),
          ]),
        ),
      );
      const late = parts.map((p) => /passed (\d+\.\d) s before this runner's load could begin/.exec(p.stdout)?.[1]);
      if (round === 2 || late.every((l) => l === undefined)) break;
      for (const [i, p] of parts.entries())
        assert.ok(p.code === 0 || late[i] !== undefined, `runner ${i + 1}: ${p.stdout}\n${p.stderr}`);
      leadMs = Math.min(60_000, 2 * (leadMs + 1000 * Math.max(...late.map((l) => Number(l ?? 0)))));
      t.diagnostic(`a runner started late (${late.join(', ')} s): once more with ${leadMs} ms of lead`);
    }
    for (const [i, p] of parts.entries()) assert.equal(p.code, 0, `runner ${i + 1}: ${p.stdout}\n${p.stderr}`);
    const segments = [1, 2, 3].map((i) => read(join(dir, 'parts', `segment-${i}`)));
    // Each runner carried a third.
    for (const [i, s] of segments.entries()) {
      assert.equal(s.load!.attempts, 50, `runner ${i + 1}: ${JSON.stringify(s.load!.outcomes)}`);
      assert.ok(
        s.thresholds.every((x) => /wsgate merge/.test(x.skipped ?? '')),
        'a segment judges no threshold',
      );
    }
    assert.ok(segments[0]!.conformance && !segments[1]!.conformance, 'conformance runs on segment 1 only');
    const three = await wsgate(netw, single, ['merge', join(dir, 'parts'), '--out', join(dir, 'merged-3')]);
    assert.equal(three.code, 0, `${three.stdout}\n${three.stderr}`);

    const m1 = read(join(dir, 'merged-1'));
    const m3 = read(join(dir, 'merged-3'));
    assert.deepEqual(totals(m3), totals(m1));
    assert.equal(m3.load!.attempts, 150);
    // Merged percentiles are those of one histogram of every runner's samples.
    const union = unionOf(segments.map((s) => s.load!.handshake!.histogram.base64));
    for (const k of ['count', 'p50', 'p90', 'p95', 'p99', 'p999'] as const)
      assert.equal(m3.load!.handshake![k], union[k], `handshake.${k}`);
    // Thresholds judged once on the merged data: attempts == 150 holds for the whole, never for one runner.
    const attempts = m3.thresholds.find((x) => x.source === 'attempts == 150')!;
    assert.deepEqual([attempts.actual, attempts.passed, attempts.skipped], [150, true, undefined]);
    assert.equal(m3.thresholds.find((x) => x.source === 'held_peak == 90')?.actual, 90);
    assert.equal(m3.verdict.exitCode, 0, m3.verdict.failures.join('\n'));
    // The runners' schedule starts, by their clocks, against the agreed instant.
    assert.equal(m3.merge!.clock.startAt, startAt);
    const offsets = m3.runners!.map((r) => r.clock!.startOffsetMs!);
    // Each began at or after the instant (a starved machine wakes late, never early), and the spread is theirs.
    assert.ok(
      offsets.every((o) => o >= 0 && o < 10_000),
      `start offsets ${offsets.join(', ')} ms`,
    );
    assert.ok(Math.abs(m3.merge!.clock.spreadMs! - (Math.max(...offsets) - Math.min(...offsets))) < 0.01);
    assert.deepEqual(
      m3.runners!.map((r) => r.host),
      segments.map((s) => s.environment.hostname),
    );
    assert.match(readFileSync(join(dir, 'merged-3', 'summary.md'), 'utf8'), /### Runners: 3 of 3 segments merged/);
    assert.match(readFileSync(join(dir, 'merged-3', 'index.html'), 'utf8'), /<table id="runners">/);
    assert.match(three.stdout, /schedules began within \d+ ms of each other/);

    // A runner that never reported: the merge says which segment is missing and is partial (exit 3).
    const gap = await wsgate(netw, single, [
      'merge',
      join(dir, 'parts', 'segment-1'),
      join(dir, 'parts', 'segment-3'),
      '--out',
      join(dir, 'merged-gap'),
    ]);
    assert.equal(gap.code, 3, gap.stderr);
    const partial = read(join(dir, 'merged-gap'));
    assert.equal(partial.partial, true);
    assert.deepEqual(partial.merge!.coverage!.missing, ['2/3']);
    assert.equal(partial.load!.attempts, 100);
    assert.match(readFileSync(join(dir, 'merged-gap', 'junit.xml'), 'utf8'), /segment 2\/3 is missing/);
    t.diagnostic(
      `1 segment: ${JSON.stringify(totals(m1))}; 3 segments: ${JSON.stringify(totals(m3))}; ` +
        `handshake p50/p95/p99 1 seg ${m1.load!.handshake!.p50}/${m1.load!.handshake!.p95}/` +
        `${m1.load!.handshake!.p99} ms, 3 seg ${m3.load!.handshake!.p50}/${m3.load!.handshake!.p95}/` +
        `${m3.load!.handshake!.p99} ms; start offsets ${offsets.join(', ')} ms, ` +
        `spread ${m3.merge!.clock.spreadMs} ms ` +
        `(lead ${Math.round(leadMs)} ms)`,
    );
  } finally {
    await netw.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(gatewayProcess?.exitCode !== null || gatewayProcess?.signalCode !== null, 'the gateway host stopped');
});

/** The first line a process prints, bounded by `ms`. */
function firstLine(child: ChildProcess, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`nothing printed within ${ms} ms: ${err}`)), ms);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing: ${err}`));
    });
  });
}
