import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { trends } from '../../harness/history/regression.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { chromium, inBrowser } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-trend-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A summary whose only content is its metrics, for the regression rule. */
function run(i: number, metrics: Record<string, number>): Summary {
  return {
    schema: 'wsgate.summary',
    run: { id: `r${i}`, startedAt: `2026-11-${String(10 + i).padStart(2, '0')}T02:00:00Z` },
    verdict: { passed: true },
    scenario: { name: 'nightly' },
    metrics,
  } as unknown as Summary;
}

test('the regression rule flags a latest run worse than the window beyond its noise, and only then', () => {
  const steady = [1.0, 1.1, 0.9, 1.05, 1.0].map((v, i) => run(i, { 'overhead.p95': v, checks_passed: 10 }));
  assert.equal(
    trends([...steady, run(9, { 'overhead.p95': 1.08, checks_passed: 10 })]).filter((t) => t.regression).length,
    0,
  );
  const worse = trends([...steady, run(9, { 'overhead.p95': 2.5, checks_passed: 7 })]);
  assert.deepEqual(
    worse
      .filter((t) => t.regression)
      .map((t) => t.metric)
      .sort(),
    ['checks_passed', 'overhead.p95'],
  );
  assert.match(
    worse.find((t) => t.metric === 'overhead.p95')!.regression!,
    /2\.5 against a median of 1 over the previous 5 runs \(worse by 1\.5, tolerance 0\.15/,
  );
  // A noisy window tolerates more: 1.9 regresses after a steady window, not after one that swings as much.
  assert.equal(trends([...steady, run(9, { 'overhead.p95': 1.9 })]).filter((t) => t.regression).length, 1);
  const noisy = [1, 2.2, 0.8, 2.4, 1.1].map((v, i) => run(i, { 'overhead.p95': v }));
  assert.equal(trends([...noisy, run(9, { 'overhead.p95': 1.9 })]).filter((t) => t.regression).length, 0);
  assert.equal(trends(steady.slice(0, 3)).filter((t) => t.regression).length, 0, 'needs 3 earlier runs');
});

test('--history keeps each run; wsgate trend writes an HTML trend report and exits 1 on a regression with ' +
  '--fail-on-regression', {
  skip: chromium.ok ? false : `chromium unavailable: ${chromium.reason}`,
}, async () => {
  const history = join(dir, 'history');
  for (let i = 0; i < 4; i++) {
    const res = await runCli([
      'check',
      join(ROOT, 'scenarios/quickstart.yaml'),
      '--reports',
      join(dir, 'reports'),
      '--out',
      join(dir, `reports/q${i}`),
      '--history',
      history,
      '-q',
    ]);
    assert.equal(res.code, 0, res.stderr);
  }
  assert.equal(readdirSync(history).length, 4);
  const ok = await runCli(['trend', history, '--fail-on-regression']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /no regression/);
  // A fifth run in which the gateway started letting a denied set in.
  const last = JSON.parse(readFileSync(join(history, 'q3.json'), 'utf8')) as Summary;
  last.run = { ...last.run, id: 'q4', startedAt: new Date(Date.parse(last.run.startedAt) + 60_000).toISOString() };
  last.metrics = { ...last.metrics, checks_failed: 2, unexpected_outcomes: 2, checks_passed: 2 };
  writeFileSync(join(history, 'q4.json'), JSON.stringify(last));
  const bad = await runCli(['trend', history, '--fail-on-regression', '-o', join(dir, 'trend.html')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /regression: checks_failed is 2 against a median of 0/);
  await inBrowser(join(dir, 'trend.html'), 'trend.png', async (page) => {
    assert.equal(await page.textContent('#verdict'), 'REGRESSION in 3 metric(s)');
    assert.equal(await page.$$eval('#runs tr', (trs) => trs.length), 6);
  });
});
