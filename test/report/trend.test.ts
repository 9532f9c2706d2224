import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Summary } from '../../harness/model/summary.ts';
import { chromium, inBrowser } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-trend-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Four checks kept with --history, then wsgate trend on them and on a fifth, regressed run: once, for both tests. */
let cliRun:
  | Promise<{ ok: Awaited<ReturnType<typeof runCli>>; bad: Awaited<ReturnType<typeof runCli>>; html: string }>
  | undefined;
function trendCli() {
  cliRun ??= (async () => {
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
    // A fifth run in which the gateway started letting a denied set in.
    const last = JSON.parse(readFileSync(join(history, 'q3.json'), 'utf8')) as Summary;
    last.run = { ...last.run, id: 'q4', startedAt: new Date(Date.parse(last.run.startedAt) + 60_000).toISOString() };
    last.metrics = { ...last.metrics, checks_failed: 2, unexpected_outcomes: 2, checks_passed: 2 };
    writeFileSync(join(history, 'q4.json'), JSON.stringify(last));
    const html = join(dir, 'trend.html');
    const bad = await runCli(['trend', history, '--fail-on-regression', '-o', html]);
    return { ok, bad, html };
  })();
  return cliRun;
}

test(
  '--history keeps each run; wsgate trend writes an HTML trend report and exits 1 on a regression with ' +
    '--fail-on-regression',
  async () => {
    const { ok, bad, html } = await trendCli();
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /no regression/);
    assert.equal(bad.code, 1);
    // Failures are rare events: 2 against none in 4 runs is judged as a Poisson count, not as a spread.
    assert.match(bad.stderr, /regression: checks_failed is 2 against 0 over the previous 4 runs: as rare events/);
    assert.match(bad.stderr, /regression: unexpected_outcomes is 2 against 0/);
    assert.ok(existsSync(html), `${html} written`);
    assert.match(readFileSync(html, 'utf8'), /<html/i);
  },
);

test('the trend report shows the regression and every run in a browser', {
  skip: chromium.ok ? false : `chromium unavailable: ${chromium.reason}`,
}, async () => {
  const { html } = await trendCli();
  await inBrowser(html, 'trend.png', async (page) => {
    // checks_passed fell too, but 4 earlier runs are too few to measure a spread for it: not judged.
    assert.equal(await page.textContent('#verdict'), 'REGRESSION in 2 metric(s)');
    assert.equal(await page.$$eval('#runs tr', (trs) => trs.length), 6);
  });
});
