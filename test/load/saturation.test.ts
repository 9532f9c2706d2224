import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startClusteredBackend } from '../../fixtures/cluster/index.ts';
import { CpuSampler } from '../../harness/load/cpu.ts';
import { runLoad } from '../../harness/load/engine.ts';
import { HOST_LIMIT, judgeSaturation } from '../../harness/load/saturation.ts';
import type { LoadResult, LoadSecond } from '../../harness/model/load.ts';
import { bareCredential, loopbackTarget } from '../helpers/plan-stubs.ts';

let backend: Awaited<ReturnType<typeof startClusteredBackend>>;
before(async () => {
  // In its own process, so the test's event loop is the generator's alone.
  backend = await startClusteredBackend({ processes: 1 });
});
after(() => backend.stop());

function load(ratePerSec: number, seconds: number): Promise<LoadResult> {
  const target = loopbackTarget(Number(new URL(backend.url).port), { path: '/sat' });
  return runLoad({
    stages: [{ fromRate: ratePerSec, toRate: ratePerSec, durationMs: seconds * 1000 }],
    targets: [target],
    mix: [{ cred: bareCredential(), weight: 1, expected: new Map([[target.name, ['upgraded']]]) }],
    maxInFlight: 1000,
    sourceAddresses: [],
  });
}

test('a generator whose event loop is stolen is judged saturated, with the numbers that show it', async () => {
  // 40 ms of busy work every 50 ms: the load process keeps a fifth of its time.
  const thief = setInterval(() => {
    const until = performance.now() + 40;
    while (performance.now() < until) {
      // stealing the loop
    }
  }, 50);
  let r: LoadResult;
  try {
    r = await load(200, 2);
  } finally {
    clearInterval(thief);
  }
  const s = judgeSaturation(r, {});
  assert.ok(s.side === 'generator' || s.side === 'both', JSON.stringify(s));
  assert.ok(r.generator!.loopDelay.p99 >= 30, `loop delay p99 ${r.generator!.loopDelay.p99} ms`);
  assert.ok(r.generator!.lateBeyondBound > 20, `${r.generator!.lateBeyondBound} late starts`);
  assert.ok(
    s.reasons.some((x) => /started \d+ of \d+ attempts more than 10 ms late/.test(x)),
    s.reasons.join('; '),
  );
});

test('a healthy load is not flagged; on a machine busy with other work, the machine is named', async (t) => {
  const cpu = new CpuSampler(() => []);
  const r = await load(100, 2);
  const host = cpu.total().host;
  const s = judgeSaturation(r, host !== undefined ? { hostCpu: host } : {});
  assert.equal(r.upgrades, 200);
  assert.equal(r.generator!.late!.count, 200);
  assert.ok(r.generator!.cpu.busiestShare > 0 && r.generator!.cpu.busiestShare < 0.9, JSON.stringify(r.generator!.cpu));
  t.diagnostic(`machine ${host === undefined ? 'unmeasured' : `${Math.round(host * 100)}%`} busy; ${s.side}`);
  if (host !== undefined && host > HOST_LIMIT) {
    // Other processes held the CPU (a test suite beside this one, a hog on the other core): the
    // generator may fall behind, and then the verdict must say that the machine was full.
    if (s.side !== 'none') assert.match(s.reasons.join(' '), /machine's CPU was \d+% busy/, s.reasons.join('; '));
    return;
  }
  assert.equal(s.side, 'none', s.reasons.join('; '));
  assert.ok(r.generator!.lateBeyondBound <= 10, JSON.stringify(r.generator));
});

/** A load result with only what the saturation rule reads. */
function result(patch: Partial<LoadResult>, seconds: Array<Partial<LoadSecond>> = []): LoadResult {
  return {
    attempts: 1000,
    outcomes: { upgraded: 1000 },
    skippedMaxInFlight: 0,
    series: seconds.map((s, t) => ({ t, attempts: 0, upgrades: 0, errors: 0, open: 0, ...s })),
    generator: {
      late: { count: 1000, p99: 3 } as never,
      lateBeyondBound: 0,
      lateBoundMs: 10,
      loopDelay: { p50: 1, p99: 5, max: 12 },
      cpu: { userMs: 100, systemMs: 50, busiestShare: 0.3 },
      processes: 2,
    },
    ...patch,
  } as LoadResult;
}

test(
  'the rule: late starts, a stalled loop or a full core make the generator; a full target core or unanswered ' +
    'attempts the target',
  () => {
    assert.equal(judgeSaturation(result({}), {}).side, 'none');
    const late = result({});
    late.generator!.lateBeyondBound = 11;
    assert.equal(
      judgeSaturation(late, {}).side,
      'generator',
      '11 of 1000 late beyond 10 ms is over 1% and the ' + 'floor of 10',
    );
    late.generator!.lateBeyondBound = 10;
    assert.equal(judgeSaturation(late, {}).side, 'none', 'at the floor');
    const stalled = result({});
    stalled.generator!.loopDelay.p99 = 100;
    assert.equal(judgeSaturation(stalled, {}).side, 'none', 'a loop delay p99 of 100 ms with every start on time');
    stalled.generator!.loopDelay.p99 = 101;
    assert.equal(judgeSaturation(stalled, {}).side, 'generator');
    const busy = [0.95, 0.97, 0.2, 0.3, 0.2, 0.1, 0.2, 0.2, 0.3, 0.2];
    assert.equal(
      judgeSaturation(
        result(
          {},
          busy.map((cpu) => ({ cpu })),
        ),
        {},
      ).side,
      'generator',
      '2 of 10 seconds at 90%+',
    );
    assert.equal(
      judgeSaturation(
        result(
          {},
          busy.slice(1).map((cpu) => ({ cpu })),
        ),
        {},
      ).side,
      'none',
      'one busy second is not enough',
    );
    const target = judgeSaturation(
      result(
        {},
        busy.map((targetCpu) => ({ targetCpu })),
      ),
      {},
    );
    assert.equal(target.side, 'target');
    assert.match(target.reasons[0]!, /a target process was at 90% of a core or more in 2 of 10 seconds \(max 97%\)/);
    const unanswered = judgeSaturation(result({ outcomes: { upgraded: 980, connect_timeout: 20 } }), {});
    assert.equal(unanswered.side, 'target');
    assert.match(unanswered.reasons[0]!, /20 of 1000 attempts got no answer/);
    assert.equal(judgeSaturation(result({ skippedMaxInFlight: 5 }), {}).side, 'target');
    const both = result(
      { outcomes: { upgraded: 980, connect_timeout: 20 } },
      busy.map((targetCpu) => ({ targetCpu })),
    );
    both.generator!.loopDelay.p99 = 150;
    assert.equal(judgeSaturation(both, {}).side, 'both');
    assert.match(judgeSaturation(result({}), { hostCpu: 0.99 }).reasons.join(' '), /the machine's CPU was 99% busy/);
  },
);

test('running out of its own descriptors or ports is the generator, never a target that did not answer', () => {
  const s = judgeSaturation(result({ outcomes: { upgraded: 574, fd_exhausted: 426 } }), {});
  assert.equal(s.side, 'generator', s.reasons.join('; '));
  assert.match(s.reasons.join(' '), /ran out of their own ports or descriptors \(426 fd_exhausted\)/);
  assert.doesNotMatch(s.reasons.join(' '), /got no answer/);
});

test('late starts make the generator saturated when they move what was measured, not when they are jitter', () => {
  const withLate = (p50: number, p99: number, handshakeP99: number) => {
    const r = result({ handshake: { p99: handshakeP99 } as never });
    r.generator!.late = { count: 20000, p50, p99 } as never;
    r.generator!.lateBeyondBound = 929;
    return judgeSaturation(r, {});
  };
  // 5% of starts 10-26 ms late against a 200 ms p99: jitter, said but not saturation.
  const jitter = withLate(1, 26, 200);
  assert.equal(jitter.side, 'none', jitter.reasons.join('; '));
  assert.match(jitter.reasons.join(' '), /929 of 20000 attempts started more than 10 ms late .*jitter/);
  // The same lateness against a 60 ms p99 is a fifth of it and more: it moved the measurement.
  assert.equal(withLate(1, 26, 60).side, 'generator');
  // Most starts late (p50 past the bound): the generator is behind, whatever the latencies.
  assert.equal(withLate(400, 962, 12_700).side, 'generator');
});

test('a saturated generator that could not raise its priority says so; one that ran at -10 does not', () => {
  const stalled = (nice: number) => {
    const r = result({});
    r.generator!.loopDelay.p99 = 150;
    r.generator!.nice = nice;
    return judgeSaturation(r, {});
  };
  const level = stalled(0);
  assert.equal(level.side, 'generator');
  assert.ok(
    level.reasons.some((x) =>
      x.includes('ran at nice 0, not ahead of the target: worker processes ask for -10, which needs root'),
    ),
    level.reasons.join('; '),
  );
  const raised = stalled(-10);
  assert.equal(raised.side, 'generator');
  assert.ok(!raised.reasons.some((x) => /nice/.test(x)), raised.reasons.join('; '));
  // A healthy generator at nice 0 is not told anything.
  const healthy = result({});
  healthy.generator!.nice = 0;
  assert.deepEqual(judgeSaturation(healthy, {}).reasons, []);
});
