import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startEchoBackend } from '../../fixtures/echo-backend.ts';
import { runLoad } from '../../harness/load/engine.ts';
import { arrivals, scheduledCount, stagesOf } from '../../harness/plan/arrival-schedule.ts';
import { runCli } from '../helpers/cli.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';
import { rfcAccept } from '../outcome/cases.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('arrival times follow constant and ramping stages', () => {
  const stages = stagesOf([
    { rate: 100, duration: '2s' },
    { from: 100, to: 300, duration: '2s' },
  ]);
  const times = [...arrivals(stages)];
  assert.equal(times.length, scheduledCount(stages));
  assert.equal(times.length, 200 + 400);
  assert.equal(times.filter((t) => t < 2000).length, 200);
  // In a linear ramp the second half carries more arrivals than the first: 100->200 vs 200->300.
  assert.equal(times.filter((t) => t >= 2000 && t < 3000).length, 150);
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!));
});

test(
  'an arrival-rate run delivers the scheduled count within 2%, and a 90/10 mix splits exactly, every denial ' +
    'classified',
  async (t) => {
    // 101 for the "valid" header, 401 otherwise: a gateway in two lines.
    const server = await rawServer((s, head) => {
      if (/x-set: valid/i.test(head))
        s.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: ` +
            `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`,
        );
      else s.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    });
    t.after(() => server.close());
    const target = loopbackTarget(server.port);
    const valid = bareCredential({ name: 'valid', headers: [['X-Set', 'valid']] });
    const denied = bareCredential({ name: 'denied', expect: 401, headers: [['X-Set', 'denied']] });
    const stages = stagesOf([
      { rate: 200, duration: '1s' },
      { from: 200, to: 400, duration: '1s' },
    ]);
    const r = await runLoad({
      stages,
      targets: [target],
      mix: [
        { cred: valid, weight: 9, expected: new Map([[target.name, ['upgraded']]]) },
        { cred: denied, weight: 1, expected: new Map([[target.name, ['http_401']]]) },
      ],
      maxInFlight: 1000,
      sourceAddresses: [],
    });
    assert.equal(r.scheduled, 500);
    assert.ok(
      Math.abs(r.attempts - r.scheduled) <= r.scheduled * 0.02,
      `${r.attempts} attempts for ${r.scheduled} scheduled`,
    );
    const v = r.sets.find((s) => s.credential === 'valid')!;
    const d = r.sets.find((s) => s.credential === 'denied')!;
    assert.equal(v.attempts, 450);
    assert.equal(d.attempts, 50);
    assert.deepEqual(d.outcomes, { http_401: 50 });
    assert.equal(r.unexpected, 0);
    assert.equal(r.handshake?.count, 450);
  },
);

test(
  'a backend that stalls for 2 s shows up in latency from the scheduled start (no ' + 'coordinated omission)',
  async (t) => {
    const started = Date.now();
    const server = await rawServer((s, head) => {
      const answer = () =>
        s.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: ` +
            `Upgrade\r\nSec-WebSocket-Accept: ${rfcAccept(requestKey(head))}\r\n\r\n`,
        );
      const since = Date.now() - started;
      // From 1 s to 3 s into the run nothing is answered; everything waiting is answered at 3 s.
      if (since >= 1000 && since < 3000) setTimeout(answer, 3000 - since);
      else answer();
    });
    t.after(() => server.close());
    const target = loopbackTarget(server.port, { handshakeTimeoutMs: 5000 });
    const r = await runLoad({
      stages: stagesOf([{ rate: 50, duration: '4s' }]),
      targets: [target],
      mix: [{ cred: bareCredential(), weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
      maxInFlight: 1000,
      sourceAddresses: [],
    });
    assert.equal(r.attempts, 200);
    assert.ok(r.handshake!.max >= 1800, `max ${r.handshake!.max} ms`);
    assert.ok(
      r.handshake!.p90 >= 1000,
      `p90 ${r.handshake!.p90} ms: the attempts scheduled during the stall are charged for it`,
    );
  },
);

test('killing the target mid-run gives exit 3 and a partial summary', async () => {
  const backend = await startEchoBackend();
  const file = join(dir, 'dies.yaml');
  writeFileSync(
    file,
    `name: dies\ntargets: [{ name: echo, url: "${backend.url}/x" }]\ncredentials: [{ name: c, expect: 200 ` +
      `}]\nload: { arrivalRate: [{ rate: 300, duration: 5s }], workers: 2, saturation: warn }\n`,
  );
  // Killed once the load has run a second (two worker processes by default).
  let killed = false;
  const res = await runCli(['run', file, '--out', join(dir, 'out-dies')], {
    onStderr: (err) => {
      if (!killed && /load +1s/.test(err)) {
        killed = true;
        void backend.stop();
      }
    },
  });
  assert.equal(res.code, 3, res.stdout + res.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'out-dies', 'summary.json'), 'utf8'));
  assert.equal(summary.partial, true);
  // Blamed on the target when the generator kept up, on both when it did not (a busy machine).
  assert.match(summary.partialReason, /200 attempts in a row failed at the network level \(last: \w+\)/);
  assert.match(summary.partialReason, /: the target stopped answering$|, while the load generator was saturated/);
  assert.equal(summary.load.workers, 2);
  // Worker processes ask to run ahead of the target (nice -10), which needs root; elsewhere they keep this one's.
  assert.equal(summary.load.generator.nice, process.getuid?.() === 0 ? -10 : getPriority());
  assert.ok(
    summary.load.upgrades >= 250 && summary.load.attempts < 1500,
    `${summary.load.upgrades} upgrades, ${summary.load.attempts} attempts`,
  );
});

test('a plan needing more descriptors than one process may hold fails up front with what to change', async () => {
  const file = join(dir, 'too-many.yaml');
  writeFileSync(
    file,
    `name: too-many\ntargets: [{ name: echo, url: "ws://127.0.0.1:9/x" }]\ncredentials: [{ name: c, expect: 200 ` +
      `}]\nload:\n  arrivalRate: [{ rate: 10, duration: 1s }]\n  maxInFlight: 50000\n`,
  );
  const res = await runCli(['run', file, '--out', join(dir, 'out-too-many')]);
  assert.equal(res.code, 2);
  assert.match(
    res.stderr,
    /too-many\.yaml:6:16: load\.maxInFlight: 50000 connections open at once \(0 held \+ 50000 maxInFlight\)/,
  );
  assert.match(
    res.stderr,
    /need 25000 descriptors in each of 2 worker process\(es\), and one process may hold \d+ here \(ulimit -n/,
  );
  assert.match(res.stderr, /: set load\.workers to \d or more, or lower maxInFlight/);
  assert.throws(() => readFileSync(join(dir, 'out-too-many', 'summary.json')));
});

test(
  'a plan needing more ports than its source addresses give fails up front; workers fix the ' + 'descriptors',
  async () => {
    const file = join(dir, 'ports.yaml');
    const write = (workers: number) =>
      writeFileSync(
        file,
        `name: ports\ntargets: [{ name: echo, url: "ws://127.0.0.1:9/x" }]\ncredentials: [{ name: c, expect: 200 ` +
          `}]\nload:\n  connections: { count: 60000, hold: 1s }\n  workers: ${workers}\n  sourceAddresses: ` +
          `[127.0.0.1]\n`,
      );
    write(2);
    let res = await runCli(['validate', file]);
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /ports\.yaml:6:\d+: load\.workers: 65000 connections open at once \(60000 held \+ 5000 maxInFlight\)/,
    );
    assert.match(
      res.stderr,
      /need 32500 descriptors in each of 2 worker process\(es\).*set load\.workers to 4 or more/,
    );
    write(4);
    res = await runCli(['validate', file]);
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /ports\.yaml:7:\d+: load\.sourceAddresses: 65000 connections at once need \d+ source addresses/,
    );
    assert.match(res.stderr, /\(each carries about \d+: the port is taken at bind time, for every destination\)/);
    assert.match(res.stderr, /and load\.sourceAddresses lists 1: add more/);
  },
);
