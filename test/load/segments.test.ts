import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from '../../harness/load/engine.ts';
import { mergeResults } from '../../harness/load/merge.ts';
import type { LoadResult } from '../../harness/model/load.ts';
import { stagesOf } from '../../harness/plan/arrival-schedule.ts';
import type { LoadPlan } from '../../harness/plan/load.ts';
import { segmentShare, workerShare } from '../../harness/plan/segment.ts';
import { acceptFor } from '../../harness/wire/accept.ts';
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
    sets: Object.fromEntries(r.sets.map((s) => [s.credential, { attempts: s.attempts, outcomes: s.outcomes }])),
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
  const target = loopbackTarget(server.port);
  const valid = bareCredential({ name: 'valid', headers: [['X-Set', 'valid']], weight: 5 });
  const denied = bareCredential({ name: 'denied', expect: 401, headers: [['X-Set', 'denied']], weight: 2 });
  const plan: LoadPlan = {
    stages: stagesOf([{ rate: 71, duration: '1s' }]),
    targets: [target],
    mix: [
      { cred: valid, weight: 5, expected: new Map([[target.name, ['upgraded']]]) },
      { cred: denied, weight: 2, expected: new Map([[target.name, ['http_401']]]) },
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
  // The mix is exact over the whole: 5:2 of 71 arrivals, and the 5 held connections all draw the valid set.
  assert.deepEqual(counts(whole).sets, {
    valid: { attempts: 51 + 5, outcomes: { upgraded: 51 + 5 } },
    denied: { attempts: 20, outcomes: { http_401: 20 } },
  });
  assert.equal(merged.held?.opened, 5);
  assert.equal(merged.held?.target, 5);
});
