import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import { executeRun } from '../../harness/cli/execute.ts';
import { createLog } from '../../harness/cli/log.ts';
import type { OverheadResult } from '../../harness/model/overhead.ts';
import { measureOverhead } from '../../harness/overhead/measure.ts';
import { buildPlan } from '../../harness/plan/plan.ts';
import { parseScenario } from '../../harness/scenario/read.ts';

const SECRET = 'sk-orders-web-7Hq2xVb9LmPz';

/** Baseline route and authorized route of the reference gateway, one credential the auth fixture allows. */
function scenarioText(overhead: string, extra = ''): string {
  return `name: overhead-test
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
      X-IBM-Client-Secret: ${SECRET}
overhead:
  baseline: baseline
  auth: reference
  credential: valid-app
${overhead}
${extra}`;
}

let fixtures: RunningFixtures;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-overhead-'));
before(async () => {
  fixtures = await startFixtures();
});
after(async () => {
  await fixtures.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function measure(latencyMs: number): Promise<OverheadResult> {
  await fixtures.auth.setState({ state: 'ok', latencyMs });
  const scenario = parseScenario(
    scenarioText(
      '  concurrency: 1\n  rounds: 10\n  attemptsPerRound: 20\n  warmup: 10\n  bootstrap: 1000\n  decompose: false',
    ),
    join(dir, 'measure.yaml'),
  );
  const plan = await buildPlan(scenario, fixtures.urls);
  return measureOverhead(plan.overhead![0]!, { signal: AbortSignal.timeout(60_000) });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test(
  '5 ms injected into the auth service shows as 4.5-8 ms more p50 overhead than 0 ms, each with an ' +
    'honest interval',
  async (t) => {
    // The two settings alternate too (0, 5, 0, 5, …) and the medians of the five p50 overheads are
    // compared, so a burst from another process on this shared machine moves one run, not the answer.
    // Expect about 5.3-6.0 ms: the fixture's setTimeout(5) itself takes ~5.25 ms, and the rest of the
    // upgrade runs colder after a 5 ms idle than straight through; both are real added latency.
    const runs: Record<0 | 5, OverheadResult[]> = { 0: [], 5: [] };
    for (let i = 0; i < 5; i++) {
      for (const latency of [0, 5] as const) runs[latency].push(await measure(latency));
    }
    await fixtures.auth.setState({ latencyMs: 0 });

    const p50 = (r: OverheadResult) => r.differences.find((d) => d.percentile === 50)!;
    for (const latency of [0, 5] as const) {
      for (const r of runs[latency]) {
        const d = p50(r);
        const line =
          `${latency} ms injected: ` +
          `p50 overhead ${d.diff.toFixed(3)} ms, 95% CI [${d.ciLow.toFixed(3)}, ${d.ciHigh.toFixed(3)}] ms, width ` +
          `${d.ciWidth.toFixed(3)} ms (${r.roundsCompleted} rounds x ${r.method.attemptsPerRound})`;
        t.diagnostic(line);
        console.log(line);
        assert.equal(
          r.auth.upgraded,
          r.auth.attempts,
          `every auth-side attempt upgrades: ${JSON.stringify(r.auth.outcomes)}`,
        );
        assert.equal(
          r.baseline.upgraded,
          r.baseline.attempts,
          `every baseline attempt upgrades: ${JSON.stringify(r.baseline.outcomes)}`,
        );
        assert.equal(r.roundsCompleted, 10);
        // Honest: an interval around its estimate, with a width that is really there (not 0, not NaN) and
        // narrower than the 5 ms it has to resolve: 0.2-0.5 ms on a quiet machine, past 2 ms on a busy one.
        assert.ok(d.ciLow <= d.diff && d.diff <= d.ciHigh, line);
        assert.ok(d.ciWidth > 0 && d.ciWidth < 5, line);
      }
    }
    const at0 = median(runs[0].map((r) => p50(r).diff));
    const at5 = median(runs[5].map((r) => p50(r).diff));
    const summary =
      `median p50 overhead: ${at0.toFixed(3)} ms at 0 ms injected, ${at5.toFixed(3)} ms at 5 ms ` +
      `injected; difference ${(at5 - at0).toFixed(3)} ms`;
    t.diagnostic(summary);
    console.log(summary);
    // The 5 ms cannot shrink (a timer fires no earlier than it is due, to the millisecond), and the gateway may
    // add up to a millisecond around it; beyond that, up to 2 ms of noise on a busy two-core machine. Measuring
    // the wrong thing misses this band by far: the auth call left out (~0 ms), counted twice (~10 ms), or
    // attempts timed from the batch start (tens of ms).
    assert.ok(at5 - at0 >= 4.5 && at5 - at0 <= 8, summary);
    // With 0 ms injected the interval must not claim a 5 ms overhead is possible.
    assert.ok(median(runs[0].map((r) => p50(r).ciHigh)) < at5 - 2, summary);
  },
);

test(
  'a run with an overhead: block puts the result in summary.json, CI upper bounds in the metrics, and ' +
    'decomposes it',
  async (t) => {
    await fixtures.auth.setState({ state: 'ok', latencyMs: 5 });
    const file = join(dir, 'run.yaml');
    const scenario = parseScenario(
      scenarioText(
        '  rounds: 6\n  attemptsPerRound: 15\n  warmup: 5\n  bootstrap: 500',
        'thresholds:\n  - overhead.p50 < 100ms\n  - overhead.p50 < 1ms\n',
      ),
      file,
    );
    const outDir = join(dir, 'out');
    const outcome = await executeRun(scenario, {
      command: 'run',
      outDir,
      log: createLog(scenario.secrets, { quiet: true }),
      fixtureUrls: fixtures.urls,
    });
    await fixtures.auth.setState({ latencyMs: 0 });

    const text = readFileSync(join(outDir, 'summary.json'), 'utf8');
    assert.ok(!text.includes(SECRET), 'the client secret never reaches summary.json');
    const summary = JSON.parse(text) as {
      overhead: OverheadResult[];
      metrics: Record<string, number>;
      thresholds: Array<{ source: string; passed: boolean; actual: number }>;
    };
    assert.equal(summary.overhead.length, 1);
    const o = summary.overhead[0]!;
    assert.equal(o.roundsCompleted, 6);
    assert.equal(o.method.bootstrap.unit, 'paired-rounds');
    assert.equal(o.method.latencyFrom, 'scheduled-start');
    assert.match(o.baseline.histogram.base64, /^[A-Za-z0-9+/=]+$/);
    for (const d of o.differences)
      assert.equal(
        summary.metrics[`overhead.p${d.percentile}`],
        d.ciHigh,
        `overhead.p${d.percentile} is the CI upper bound`,
      );
    const p50 = o.differences.find((d) => d.percentile === 50)!;
    assert.deepEqual(
      summary.thresholds.map((t) => [t.source, t.passed, t.actual]),
      [
        ['overhead.p50 < 100ms', true, p50.ciHigh],
        ['overhead.p50 < 1ms', false, p50.ciHigh],
      ],
    );
    assert.equal(outcome.exitCode, 1, 'the failed overhead threshold fails the run');

    const dec = o.decomposition!;
    const ac = dec.autocannon!;
    assert.equal(dec.problem, undefined);
    assert.equal(ac.requests, 6 * 15);
    assert.deepEqual(ac.statusCodes, { '200': 90 });
    assert.ok(
      ac.percentiles.p50 >= 4.5 && ac.percentiles.p50 <= 8,
      `autocannon sees the auth service's 5 ms: p50 ${ac.percentiles.p50}`,
    );
    assert.ok(
      dec.serverTiming!.samples === 90 && dec.serverTiming!.percentiles.p50 >= 4.5,
      `Server-Timing auth;dur collected: ${JSON.stringify(dec.serverTiming)}`,
    );
    assert.equal(dec.crossCheck!.agrees, true, JSON.stringify(dec.crossCheck));
    // The split, against what was injected: the overhead at p50 carries the auth service's 5 ms, autocannon
    // sees those 5 ms from outside, and what the reference gateway adds on top of its auth call on loopback
    // is about 1 ms. A split that charged the auth service twice would show about -5 ms there, one that
    // missed it about +5 ms.
    assert.deepEqual(
      dec.split.map((s) => [s.percentile, s.total]),
      o.differences.map((d) => [d.percentile, d.diff]),
      'one split per percentile, of the measured overhead',
    );
    const split50 = dec.split.find((s) => s.percentile === 50)!;
    t.diagnostic(`split at p50: ${JSON.stringify(split50)}`);
    // At least the 5 ms injected; on a busy 2-core machine the gateway's own part grew to 4 ms (9.7 ms seen).
    assert.ok(split50.total >= 4.5 && split50.total <= 12, JSON.stringify(split50));
    assert.equal(split50.authService, ac.percentiles.p50);
    assert.ok(split50.gatewayAdded >= -2 && split50.gatewayAdded <= 4, JSON.stringify(split50));
  },
);
