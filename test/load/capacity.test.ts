import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capacityVerdict,
  firstBad,
  judgeStep,
  lastGood,
  nextStep,
  type Stepping,
} from '../../harness/load/capacity.ts';
import type { CapacityStep } from '../../harness/model/capacity.ts';
import type { LoadResult, Saturation } from '../../harness/model/load.ts';

const bounds = { p95Ms: 250, errorShare: 0.01 };
const stepping: Stepping = { fromRate: 100, factor: 2, maxRate: 1000, refine: 2 };

/** A step's load result with only what judgeStep reads. */
function result(p: {
  rate: number;
  p95?: number;
  unexpected?: number;
  skipped?: number;
  side?: Saturation['side'];
}): LoadResult & { saturation: Saturation } {
  const scheduled = p.rate * 2;
  const attempts = scheduled - (p.skipped ?? 0);
  const unexpected = p.unexpected ?? 0;
  return {
    model: 'arrival-rate',
    stages: [{ fromRate: p.rate, toRate: p.rate, durationMs: 2000 }],
    scheduled,
    attempts,
    skippedMaxInFlight: p.skipped ?? 0,
    upgrades: attempts - unexpected,
    unexpected,
    outcomes: { upgraded: attempts - unexpected, ...(unexpected ? { handshake_timeout: unexpected } : {}) },
    ...(p.p95 !== undefined
      ? { handshake: { count: attempts, min: 1, mean: 2, p50: 2, p90: 3, p95: p.p95, p99: p.p95, max: p.p95 } }
      : {}),
    sets: [],
    series: [],
    durationMs: 2000,
    partial: false,
    workers: 1,
    sourceAddresses: [],
    saturation: { side: p.side ?? 'none', reasons: p.side === 'generator' ? ['the generator started 90 late'] : [] },
  } as LoadResult & { saturation: Saturation };
}

/** Run the stepping against a target whose answer at each rate `at` decides. */
function probe(at: (rate: number) => Parameters<typeof result>[0], s = stepping): CapacityStep[] {
  const steps: CapacityStep[] = [];
  for (let i = 0; i < 50; i++) {
    const next = nextStep(steps, s);
    if ('stop' in next) return steps;
    steps.push(judgeStep(next.rate, next.refining, result({ ...at(next.rate), rate: next.rate }), bounds));
  }
  throw new Error('the stepping did not stop within 50 steps');
}

test('a step breaks on latency, on errors (skipped attempts included) or on the generator, in that precedence', () => {
  assert.equal(judgeStep(100, false, result({ rate: 100, p95: 20 }), bounds).passed, true);
  const slow = judgeStep(100, false, result({ rate: 100, p95: 300 }), bounds);
  assert.equal(slow.broke, 'latency');
  assert.match(slow.why!, /p95 was 300 ms, above 250 ms/);
  const failing = judgeStep(100, false, result({ rate: 100, p95: 300, unexpected: 3 }), bounds);
  assert.equal(failing.broke, 'errors');
  assert.match(failing.why!, /3 of 200 attempts \(1\.50%\).*handshake_timeout 3/);
  const skipped = judgeStep(100, false, result({ rate: 100, p95: 20, skipped: 4 }), bounds);
  assert.equal(skipped.broke, 'errors');
  assert.match(skipped.why!, /4 skipped at maxInFlight/);
  // A starved generator says nothing of the target, even with the target's bounds broken.
  const starved = judgeStep(100, false, result({ rate: 100, p95: 900, unexpected: 50, side: 'generator' }), bounds);
  assert.equal(starved.broke, 'generator');
  assert.equal(judgeStep(100, false, result({ rate: 100, p95: 20, side: 'target' }), bounds).passed, true);
});

test('the rate grows by the factor, then closes in geometrically between the last good and first bad rate', () => {
  const steps = probe((rate) => ({ rate, p95: rate <= 300 ? 20 : 900 }));
  assert.deepEqual(
    steps.map((s) => [s.rate, s.passed, s.refining]),
    [
      [100, true, false],
      [200, true, false],
      [400, false, false],
      [280, true, true],
      [330, false, true],
    ],
  );
  assert.equal(lastGood(steps), 280);
  assert.equal(firstBad(steps)?.rate, 330);
  const verdict = capacityVerdict(['gw'], steps, 'latency', bounds);
  assert.match(verdict, /^gw sustains 280 attempts\/s .* at 330\/s time to 101 p95 was 900 ms.*target's limit/);
});

test('the stepping stops at the maximum, at the generator, and refines no closer than 10%', () => {
  const all = probe((rate) => ({ rate, p95: 10 }));
  assert.deepEqual(
    all.map((s) => s.rate),
    [100, 200, 400, 800, 1000],
  );
  assert.deepEqual(nextStep(all, stepping), { stop: 'max_rate' });
  const starved = probe((rate) => ({ rate, p95: 10, side: rate >= 400 ? 'generator' : 'none' }));
  assert.deepEqual(nextStep(starved, stepping), { stop: 'generator' });
  assert.equal(lastGood(starved), 200);
  assert.match(capacityVerdict(['gw'], starved, 'generator', bounds), /limit is above 200\/s/);
  const near = probe((rate) => ({ rate, p95: rate <= 100 ? 10 : 900 }), { ...stepping, factor: 1.1, refine: 5 });
  assert.deepEqual(
    near.map((s) => s.rate),
    [100, 110],
  );
  const first = probe((rate) => ({ rate, p95: 900 }));
  assert.equal(first.length, 1);
  assert.equal(lastGood(first), undefined);
  assert.match(capacityVerdict(['gw'], first, 'latency', bounds), /broke a bound at the first step \(100\/s\)/);
});
