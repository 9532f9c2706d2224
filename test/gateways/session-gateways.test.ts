import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { parseDocument, stringify } from 'yaml';
import { SESSION_CHECK_IDS, type SessionCheckResult, type SessionResult } from '../../harness/model/session.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { runCli } from '../helpers/cli.ts';
import { GATEWAYS, type Gateway, gatewayAvailability } from '../helpers/gateways.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wsgate-session-gateways-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { unavailable, present } = gatewayAvailability();

/** scenarios/session.yaml as committed, or without the gateways this machine lacks (never in CI). */
function sessionScenario(): string {
  const committed = join(ROOT, 'scenarios/session.yaml');
  const missing = GATEWAYS.filter((gw) => unavailable[gw]);
  if (missing.length === 0) return committed;
  const doc = parseDocument(readFileSync(committed, 'utf8')).toJS() as {
    fixtures: { gateways: string[] };
    targets: Array<{ name: string }>;
  };
  doc.fixtures.gateways = doc.fixtures.gateways.filter((g) => !missing.includes(g as Gateway));
  doc.targets = doc.targets.filter((t) => !missing.includes(t.name as Gateway));
  const file = join(dir, 'session.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

let summary: Summary;
let code: number | null;
let stdout: string;
const out = join(dir, 'run');
before(async () => {
  const res = await runCli(['run', sessionScenario(), '--out', out], { timeoutMs: 150_000 });
  code = res.code;
  stdout = res.stdout;
  assert.ok(existsSync(join(out, 'summary.json')), `wsgate run wrote no summary (exit ${res.code}):\n${res.stderr}`);
  summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
});

const result = (gw: string, set = 'valid-app'): SessionResult | undefined =>
  summary.session!.results.find((r) => r.target === gw && r.credential === set);
const check = (gw: string, id: string, set = 'valid-app'): SessionCheckResult =>
  result(gw, set)!.checks.find((c) => c.id === id)!;

async function perGateway(t: TestContext, fn: (gw: Gateway) => void | Promise<void>): Promise<void> {
  for (const gw of GATEWAYS) await t.test(gw, { skip: unavailable[gw] }, () => fn(gw));
}

test('npx wsgate run scenarios/session.yaml exits 0 with every session check for every gateway', async (t) => {
  assert.equal(code, 0, summary.verdict.failures.join('\n') + stdout);
  await perGateway(t, (gw) => {
    const r = result(gw)!;
    assert.deepEqual(
      r.checks.map((c) => c.id),
      SESSION_CHECK_IDS,
    );
    const bad = r.checks.filter((c) => c.verdict === 'fail').map((c) => `${c.id}: ${c.reasons}`);
    assert.deepEqual(bad, []);
    assert.equal(r.largestIntactBytes, 1024 * 1024);
  });
  assert.equal(summary.metrics['session.failed'], 0);
});

test('every gateway carries text, binary, empty, fragmented and 1 MiB messages, pings, closes, deflate', async (t) => {
  const through = [
    'messages.text',
    'messages.binary',
    'messages.empty',
    'messages.fragmented',
    'messages.sizes',
    'ping.client',
    'ping.backend',
    'close.client',
    'close.backend',
    'close.backend-death',
    'negotiation.subprotocol',
    'negotiation.no-subprotocol',
    'negotiation.empty-subprotocol',
    'negotiation.deflate',
    'backend.origin',
  ];
  await perGateway(t, (gw) => {
    for (const id of through) assert.equal(check(gw, id).verdict, 'pass', `${gw} ${id}: ${check(gw, id).observed}`);
    assert.match(check(gw, 'close.backend').observed, /close 4002 "wsgate: the backend closes"/);
    assert.match(check(gw, 'negotiation.deflate').observed, /the backend agreed.*came back intact/);
    t.diagnostic(`${gw} backend death: ${check(gw, 'close.backend-death').observed}`);
  });
});

test('what the gateways hand the auth service and the backend: as the README table says', async (t) => {
  await perGateway(t, (gw) => {
    const hop = check(gw, 'auth.hop-by-hop');
    const fwd = check(gw, 'backend.forwarded');
    t.diagnostic(`${gw}: auth got ${hop.observed}; backend ${fwd.observed}`);
    if (gw === 'nginx' || gw === 'caddy') {
      assert.match(hop.observed, /sec-websocket-key/, `${gw} passes the client's handshake headers to auth`);
      assert.match(hop.observed, /reported only/);
      assert.doesNotMatch(hop.observed, /upgrade,|, upgrade|connection/, 'Upgrade and Connection are cleared');
    } else assert.equal(hop.observed, 'the auth request carried none of them', gw);
    if (gw === 'haproxy') assert.equal(fwd.observed, 'neither X-Forwarded-For nor Forwarded');
    else assert.match(fwd.observed, /^x-forwarded-for: 127\.0\.0\.1/);
  });
});

test('RFC 8441: reference and HAProxy give each set its HTTP/1.1 verdict over HTTP/2; nginx, Caddy n/a', async (t) => {
  await perGateway(t, (gw) => {
    if (gw === 'nginx' || gw === 'caddy') {
      assert.equal(check(gw, 'http2.verdict').verdict, 'not_applicable');
      return;
    }
    for (const set of ['valid-app', 'wrong-secret', 'missing-client-id', 'auth-error']) {
      const r: SessionResult = result(gw, set)!;
      assert.equal(
        check(gw, 'http2.verdict', set).verdict,
        'pass',
        `${gw} ${set}: ${check(gw, 'http2.verdict', set).observed}`,
      );
      assert.deepEqual(r.http2?.seen, r.http2?.expected[0], `${gw} ${set}`);
    }
  });
});

test('the held load is gated on session.rtt, session.lost and drops; the reports carry the session', () => {
  assert.equal(summary.metrics['session.lost'], 0);
  assert.equal(summary.metrics.dropped, 0);
  assert.ok((summary.metrics['session.rtt.p95'] ?? -1) > 0);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  const cases = junit.match(/classname="session\./g) ?? [];
  const total = summary.session!.results.reduce((n, r) => n + r.checks.length, 0);
  assert.equal(cases.length, total, 'one JUnit test case per check');
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /### Session after the 101: \d+ passed, 0 failed/);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<table id="session">/);
});

test('wsgate compare on the run has one row per session check, a column per gateway', async () => {
  const res = await runCli(['compare', out, '-o', join(dir, 'compare.html')]);
  assert.equal(res.code, 0, res.stderr);
  const html = readFileSync(join(dir, 'compare.html'), 'utf8');
  const table = /<table id="session-compare">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  assert.equal((table.match(/<tr>/g) ?? []).length, SESSION_CHECK_IDS.length + 1);
  for (const gw of present) assert.match(table, new RegExp(`<th>${gw}</th>`));
});
