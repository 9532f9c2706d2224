import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readScenario } from '../../harness/scenario/read.ts';
import { chromium, inBrowser } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const skip = chromium.ok ? false : `chromium unavailable: ${chromium.reason}`;

const SCENARIO = `name: two-routes
fixtures: true
targets:
  - { name: gateway-a, url: "\${fixture:gateway}/echo", backend: { record: "\${fixture:backend.record}" } }
  - name: gateway-b
    url: "\${fixture:gateway}/other"
    backend: { record: "\${fixture:backend.record}" }
    statusMap: { 401: [401, 403] }
  - { name: no-auth, url: "\${fixture:gateway.baseline}/echo", baseline: true }
credentials:
  - name: valid-app
    expect: 200
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-orders-web-7Hq2xVb9LmPz }
  - name: wrong-secret
    expect: 401
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-compare-wrong-secret }
load:
  arrivalRate: [{ rate: 60, duration: 1s }]
  saturation: warn
overhead:
  credential: valid-app
  pairs: [{ baseline: no-auth, auth: gateway-a }, { baseline: no-auth, auth: gateway-b }]
  rounds: 4
  attemptsPerRound: 15
  warmup: 5
  decompose: false
`;

test('wsgate compare writes one self-contained HTML that renders offline in Chromium, without secrets', {
  skip,
}, async () => {
  const file = join(dir, 'two-routes.yaml');
  writeFileSync(file, SCENARIO);
  const run = await runCli(['run', file, '--out', join(dir, 'run')]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const res = await runCli(['compare', join(dir, 'run'), '-o', join(dir, 'compare.html')]);
  assert.equal(res.code, 0, res.stderr);
  const html = readFileSync(join(dir, 'compare.html'), 'utf8');
  for (const secret of readScenario(file).secrets.all()) assert.ok(!html.includes(secret), 'a secret is in the HTML');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'everything is inline');

  await inBrowser(join(dir, 'compare.html'), 'compare.png', async (page) => {
    assert.equal(await page.textContent('#verdict'), 'PASS: every compared run passed');
    const heads = await page.$$eval('#conformance th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(heads.slice(0, 3), ['credential set', 'gateway-a', 'gateway-b']);
    // 60 attempts, two sets rotated over two gateways: 15 of each set through each, exactly.
    const load = await page.$$eval('#load-compare tr', (trs) =>
      trs.slice(1, 6).map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent)),
    );
    assert.deepEqual(load, [
      ['attempts', '30', '30'],
      ['upgraded', '15', '15'],
      ['denied (HTTP answer)', '15', '15'],
      ['network errors', '0', '0'],
      ['unexpected', '0', '0'],
    ]);
    const row = await page.$$eval('#conformance tr:nth-child(3) td', (tds) => tds.map((t) => t.textContent));
    assert.deepEqual(row, ['http_401', 'http_401']);
    assert.equal(await page.$$eval('#overhead tr', (trs) => trs.length), 3);
  });
});

test('each run writes index.html: verdict banner, conformance matrix with evidence, overhead chart, environment', {
  skip,
}, async () => {
  const html = readFileSync(join(dir, 'run', 'index.html'), 'utf8');
  for (const secret of readScenario(join(dir, 'two-routes.yaml')).secrets.all())
    assert.ok(!html.includes(secret), 'a secret is in the HTML');
  await inBrowser(join(dir, 'run', 'index.html'), 'run.png', async (page) => {
    assert.equal(await page.textContent('#verdict'), 'PASS · exit 0');
    const rows = await page.$$eval('#conformance tr', (trs) =>
      trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].slice(0, 7).map((td) => td.textContent)),
    );
    assert.deepEqual(rows[1], ['gateway-a', 'wrong-secret', '401', 'http_401', 'http_401', 'no', 'passed']);
    assert.equal(rows.length, 4);
    await page.click('#conformance tr:nth-child(3) summary');
    assert.match((await page.textContent('#conformance tr:nth-child(3) details')) ?? '', /HTTP\/1\.1 401 Unauthorized/);
    assert.match((await page.textContent('#environment')) ?? '', /Node\.js/);
    // Load: 60 attempts over two targets and two sets, each set with its expected outcome only.
    const load = await page.$$eval('#load-sets tr', (trs) =>
      trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent)),
    );
    assert.deepEqual(load, [
      ['gateway-a', 'valid-app', '15', 'upgraded', 'upgraded 15', '0'],
      ['gateway-a', 'wrong-secret', '15', 'http_401', 'http_401 15', '0'],
      ['gateway-b', 'valid-app', '15', 'upgraded', 'upgraded 15', '0'],
      ['gateway-b', 'wrong-secret', '15', 'http_401 / http_403', 'http_401 15', '0'],
    ]);
    assert.equal(
      await page.$$eval('canvas', (c) => c.length),
      4,
      'load series, load latency, generator health, overhead latency',
    );
    assert.match((await page.textContent('#saturation')) ?? '', /kept up|saturated/);
  });
});
