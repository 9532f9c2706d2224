import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runLoad } from '../../harness/load/engine.ts';
import { mergeResults } from '../../harness/load/merge.ts';
import type { LoadResult } from '../../harness/model/load.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { stagesOf } from '../../harness/plan/arrival-schedule.ts';
import type { LoadPlan } from '../../harness/plan/load.ts';
import { segmentShare, workerShare } from '../../harness/plan/segment.ts';
import { acceptFor } from '../../harness/wire/accept.ts';
import { runCli } from '../helpers/cli.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';

/** Per set: attempts and outcomes, the numbers that must be equal however the load was split. */
function counts(r: LoadResult) {
  return {
    scheduled: r.scheduled,
    attempts: r.attempts,
    upgrades: r.upgrades,
    unexpected: r.unexpected,
    outcomes: r.outcomes,
    held: r.held && { target: r.held.target, opened: r.held.opened, closedClean: r.held.closedClean },
    sets: Object.fromEntries(
      r.sets.map((s) => [`${s.target}/${s.credential}`, { attempts: s.attempts, outcomes: s.outcomes }]),
    ),
  };
}

test('three segments of two, one and three workers run exactly the whole schedule: arrivals, held connections and ' +
  'the credential mix', { timeout: 30_000 }, async (t) => {
  // 101 for the valid set (answering the close handshake), 401 for the other.
  const server = await rawServer((s, head) => {
    if (!/x-set: valid/i.test(head)) return void s.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    s.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptFor(requestKey(head))}\r\n\r\n`,
    );
    s.on('data', (d: Buffer) => {
      if ((d[0]! & 0x0f) === 0x8) s.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    });
  });
  t.after(() => server.close());
  // Two gateways (one server under two names): each set's draws rotate over them. Generous timeouts: on a
  // busy machine a timed-out connect would change the counts this test compares.
  const timeouts = { connectTimeoutMs: 10_000, handshakeTimeoutMs: 10_000 };
  const targets = [
    loopbackTarget(server.port, { name: 'a', ...timeouts }),
    loopbackTarget(server.port, { name: 'b', ...timeouts }),
  ];
  const valid = bareCredential({ name: 'valid', headers: [['X-Set', 'valid']], weight: 5 });
  const denied = bareCredential({ name: 'denied', expect: 401, headers: [['X-Set', 'denied']], weight: 2 });
  const plan: LoadPlan = {
    stages: stagesOf([{ rate: 71, duration: '1s' }]),
    targets,
    mix: [
      { cred: valid, weight: 5, expected: new Map(targets.map((t) => [t.name, ['upgraded']])) },
      { cred: denied, weight: 2, expected: new Map(targets.map((t) => [t.name, ['http_401']])) },
    ],
    maxInFlight: 500,
    // Fewer held connections than segments x workers: some processes hold none.
    hold: { count: 5, rampUpMs: 400, holdMs: 300, messageEveryMs: 0, messageBytes: 8, messageTimeoutMs: 1000 },
    sourceAddresses: [],
  };
  const whole = await runLoad(plan);
  const startAt = performance.now() + 50;
  const workersPerSegment = [2, 1, 3];
  const parts = await Promise.all(
    workersPerSegment.flatMap((workers, i) =>
      Array.from({ length: workers }, (_, w) =>
        runLoad(plan, { share: workerShare(segmentShare({ index: i + 1, of: 3 }), w, workers), startAt }),
      ),
    ),
  );
  const merged = mergeResults(parts);
  assert.equal(whole.scheduled, 71 + 5);
  assert.deepEqual(counts(merged), counts(whole));
  // The mix is exact over the whole: 5:2 of 71 arrivals (51 valid, 20 denied, each set alternating over the
  // two targets), and the 5 held connections all draw the valid set (3 to a, 2 to b).
  assert.deepEqual(counts(whole).sets, {
    'a/valid': { attempts: 26 + 3, outcomes: { upgraded: 26 + 3 } },
    'b/valid': { attempts: 25 + 2, outcomes: { upgraded: 25 + 2 } },
    'a/denied': { attempts: 10, outcomes: { http_401: 10 } },
    'b/denied': { attempts: 10, outcomes: { http_401: 10 } },
  });
  assert.equal(merged.held?.opened, 5);
  assert.equal(merged.held?.target, 5);
});

const dir = mkdtempSync(join(tmpdir(), 'wsgate-segments-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = `name: late
targets:
  - name: gw
    url: ws://127.0.0.1:9/echo
credentials:
  - name: anyone
    expect: 200
load:
  arrivalRate:
    - { rate: 10, duration: 1s }
  workers: 1
thresholds:
  - attempts == 10
`;

test('--segment and --start-at are checked on the command line (exit 2, nothing written)', async () => {
  writeFileSync(join(dir, 'late.yaml'), SCENARIO);
  const cases: Array<[string[], RegExp]> = [
    [['--segment', '0/3'], /segments are counted from 1 to 3/],
    [['--segment', '1/3:3/4'], /expected a segment such as 2\/3|not an equal share/],
    [['--start-at', '2026-05-01 10:00'], /expected an ISO 8601 instant with its time zone/],
    [['--start-at', new Date(Date.now() + 3 * 3600_000).toISOString()], /more than 60 minutes from now/],
  ];
  for (const [args, message] of cases) {
    const out = join(dir, `bad-${args[0]}`);
    const res = await runCli(['run', join(dir, 'late.yaml'), ...args, '--out', out]);
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, message);
  }
});

test('a runner that reaches its load after the agreed start refuses it: exit 3, a report says why', async () => {
  const out = join(dir, 'late-run');
  const startAt = new Date(Date.now() - 5000).toISOString();
  const res = await runCli(['run', join(dir, 'late.yaml'), '--segment', '2/2', '--start-at', startAt, '--out', out]);
  assert.equal(res.code, 3, res.stderr);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.deepEqual(s.segment, { index: 2, of: 2, startAt });
  assert.match(
    s.verdict.fatal!.join('\n'),
    /the agreed start \(--start-at .*\) passed \d+\.\d s before this runner's load/,
  );
  assert.equal(s.load, undefined, 'nothing was sent');
  assert.equal(s.thresholds[0]!.skipped, 'judged once on the merged data of every segment, by `wsgate merge`');
});
