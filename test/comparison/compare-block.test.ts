import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import { type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import { executeRun } from '../../harness/cli/execute.ts';
import { createLog } from '../../harness/cli/log.ts';
import { parseScenario } from '../../harness/scenario/read.ts';
import { runCli } from '../helpers/cli.ts';

const app = FIXTURE_CREDENTIALS.validApp;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-compare-block-'));
let fx: RunningFixtures;
before(async () => {
  fx = await startFixtures();
});
after(async () => {
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
});

function scenario(compare: string): string {
  return `name: compare-block
targets:
  - { name: gw, url: "${fx.urls.gateway}/echo" }
  - { name: gw-again, url: "${fx.urls.gateway}/echo" }
  - { name: no-auth, url: "${fx.urls['gateway.baseline']}/echo" }
credentials:
  - name: valid
    expect: 200
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} }
compare: ${compare}
`;
}

async function run(compare: string) {
  const s = parseScenario(scenario(compare), join(dir, 'compare.yaml'));
  const outDir = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  return executeRun(s, { command: 'run', outDir, log: createLog(s.secrets, { quiet: true }), fixtureUrls: fx.urls });
}

test(
  'a gateway compared with itself has no detectable difference; 5 ms more auth latency is ' + 'called slower',
  async () => {
    const same = await run(
      '{ credential: valid, targets: [gw, gw-again], rounds: 8, attemptsPerRound: 30, ' + 'percentiles: [50] }',
    );
    const c = same.summary.comparison!;
    assert.equal(c.roundsCompleted, 8);
    assert.deepEqual(
      c.sides.map((s) => [s.target, s.attempts, s.upgraded]),
      [
        ['gw', 240, 240],
        ['gw-again', 240, 240],
      ],
    );
    const [d] = c.differences;
    assert.equal(d!.verdict, 'no_difference', JSON.stringify(d));
    assert.ok(d!.ciLow < 0 && d!.ciHigh > 0 && d!.detectable > 0, JSON.stringify(d));
    assert.equal(same.summary.metrics['comparison.slower'], 0);

    // The auth service answers 5 ms later: every authorized upgrade pays it, the baseline route does not.
    const res = await fetch(fx.urls['auth.control']!, {
      method: 'PUT',
      body: JSON.stringify({ latencyMs: 5 }),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200);
    try {
      const slower = await run(
        '{ credential: valid, targets: [no-auth, gw], rounds: 8, attemptsPerRound: 30, ' + 'percentiles: [50] }',
      );
      const [s] = slower.summary.comparison!.differences;
      assert.equal(s!.verdict, 'slower', JSON.stringify(s));
      // 5 ms injected, plus what the auth call itself costs; the interval lies within a few ms of it.
      assert.ok(s!.ciLow > 3 && s!.diff > 4.5 && s!.diff < 12, JSON.stringify(s));
      assert.equal(slower.summary.metrics['comparison.slower'], 1);
      const md = readFileSync(join(slower.outDir, 'summary.md'), 'utf8');
      assert.match(md, /### Comparison against no-auth \(interleaved rounds\)/);
      assert.match(md, /\| gw \| p50 \| [\d.]+ \| [\d.]+ \| \+[\d.]+ ms \[\+[\d.]+, \+[\d.]+\] \| slower \|/);
    } finally {
      await fetch(fx.urls['auth.control']!, {
        method: 'PUT',
        body: JSON.stringify({ latencyMs: 0 }),
        signal: AbortSignal.timeout(5000),
      });
    }
  },
);

test('an invalid compare: block exits 2 naming each problem at its line', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    scenario('{ credential: nobody, targets: [gw, gone], reference: elsewhere, concurrency: 2, ' + 'rate: 10 }'),
  );
  const res = await runCli(['validate', file]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /bad\.yaml:10:46: compare\.targets\[1\]: no gateway target is named "gone"/);
  assert.match(res.stderr, /compare\.reference: "elsewhere" is not one of the compared targets/);
  assert.match(res.stderr, /compare\.credential: no credential set is named "nobody"/);
  assert.match(res.stderr, /compare\.rate: give either concurrency \(closed model\) or rate \(open model\), not both/);
});
