import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trends } from '../../harness/analysis/trend.ts';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import { latencyMetrics } from '../../harness/model/metrics.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { seededRandom } from '../../harness/stats/random.ts';

/** A standard normal draw (Box-Muller) from a seeded uniform source. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * One run of a synthetic nightly: `samples` handshake latencies, log-normal around `medianMs` times
 * a between-run factor (machines drift from night to night), recorded as the load engine does.
 */
function run(
  i: number,
  random: () => number,
  opts: { samples: number; medianMs: number; drift?: number; shift?: number },
): Summary {
  const night = Math.exp((opts.drift ?? 0.03) * gaussian(random)) * (1 + (opts.shift ?? 0));
  const r = new LatencyRecorder();
  for (let k = 0; k < opts.samples; k++) r.record(opts.medianMs * night * Math.exp(0.35 * gaussian(random)));
  const handshake = r.summary()!;
  r.destroy();
  return {
    schema: 'wsgate.summary',
    run: { id: `r${i}`, startedAt: new Date(Date.UTC(2026, 10, 1) + i * 86_400_000).toISOString() },
    verdict: { passed: true },
    scenario: { name: 'nightly' },
    load: { handshake },
    metrics: { ...latencyMetrics('handshake', handshake), unexpected_outcomes: 0 },
  } as unknown as Summary;
}

test('identical runs: at most 5% of evaluations flag anything (200 evaluations, fixed seed)', () => {
  const random = seededRandom(7);
  let alarms = 0;
  for (let e = 0; e < 200; e++) {
    const history = Array.from({ length: 8 }, (_, i) => run(i, random, { samples: 2000, medianMs: 4 }));
    if (trends(history).metrics.some((m) => m.regression)) alarms++;
  }
  assert.ok(alarms <= 10, `${alarms} false alarms in 200 evaluations`);
});

test('a latest run 40% slower is flagged in at least 95% of evaluations, with its effect size', () => {
  const random = seededRandom(11);
  let flagged = 0;
  let effect: { relative: number; effectLow: number; effectHigh: number } | undefined;
  for (let e = 0; e < 100; e++) {
    const history = Array.from({ length: 7 }, (_, i) => run(i, random, { samples: 2000, medianMs: 4 }));
    history.push(run(7, random, { samples: 2000, medianMs: 4, shift: 0.4 }));
    const p50 = trends(history).metrics.find((m) => m.metric === 'handshake.p50')!;
    if (p50.regression) {
      flagged++;
      effect = p50.regression;
    }
  }
  assert.ok(flagged >= 95, `flagged ${flagged} of 100`);
  assert.ok(effect && effect.relative > 0.2 && effect.relative < 0.6, JSON.stringify(effect));
  assert.ok(effect.effectLow < effect.effectHigh);
});

test('a tail percentile without enough samples is shown but not judged; min and max are never judged', () => {
  const random = seededRandom(3);
  const history = Array.from({ length: 7 }, (_, i) => run(i, random, { samples: 300, medianMs: 4 }));
  history.push(run(7, random, { samples: 300, medianMs: 4, shift: 3 }));
  const byName = new Map(trends(history).metrics.map((m) => [m.metric, m]));
  assert.equal(byName.get('handshake.p99')!.status, 'not_enough_data');
  assert.match(byName.get('handshake.p99')!.note!, /needs 1000 samples per run/);
  assert.equal(byName.get('handshake.p999')!.status, 'not_enough_data');
  assert.equal(byName.get('handshake.max')!.status, 'not_judged');
  assert.equal(byName.get('handshake.min')!.regression, undefined);
  assert.ok(byName.get('handshake.p50')!.regression, 'a 4x slower p50 with 300 samples is still judged and flagged');
});

test("the scenario's tolerance keeps a real but small change from being a regression", () => {
  const random = seededRandom(5);
  const history = Array.from({ length: 7 }, (_, i) => run(i, random, { samples: 5000, medianMs: 4, drift: 0.005 }));
  const latest = run(7, random, { samples: 5000, medianMs: 4, drift: 0.005, shift: 0.15 });
  history.push(latest);
  assert.ok(trends(history).metrics.find((m) => m.metric === 'handshake.p50')!.regression, '15% with a steady window');
  latest.trend = { tolerances: { handshake: 0.25 } };
  assert.equal(trends(history).metrics.find((m) => m.metric === 'handshake.p50')!.regression, undefined);
});

test('fewer than 3 earlier runs: charted, not judged', () => {
  const random = seededRandom(9);
  const history = Array.from({ length: 3 }, (_, i) => run(i, random, { samples: 2000, medianMs: 4 }));
  const p50 = trends(history).metrics.find((m) => m.metric === 'handshake.p50')!;
  assert.equal(p50.status, 'too_few_runs');
  assert.equal(p50.values.length, 3);
});

test("the generator's own health is shown, never judged; a run with a saturated generator is no baseline", () => {
  const random = seededRandom(23);
  const withHealth = (s: Summary, late: number, side: 'none' | 'generator' = 'none'): Summary =>
    ({
      ...s,
      load: { ...s.load, saturation: { side, reasons: [] } },
      metrics: { ...s.metrics, 'generator.late.p99': late, 'generator.cpu': 0.2 },
    }) as Summary;
  const history = Array.from({ length: 7 }, (_, i) => withHealth(run(i, random, { samples: 2000, medianMs: 4 }), 2));
  // The latest generator started everything 300 ms late: shown, not a regression of the target.
  history.push(withHealth(run(7, random, { samples: 2000, medianMs: 4 }), 300));
  const late = trends(history).metrics.find((m) => m.metric === 'generator.late.p99')!;
  assert.equal(late.status, 'not_judged');
  assert.match(late.note!, /the run's own health/);
  assert.equal(late.values.at(-1), 300);

  // Four invalid runs 10x slower just before the latest are left out of the baseline: a latest run
  // 40% slower is still flagged; with them in the window its median would be theirs and hide it.
  const polluted = Array.from({ length: 11 }, (_, i) =>
    i >= 7
      ? withHealth(run(i, random, { samples: 2000, medianMs: 40 }), 900, 'generator')
      : withHealth(run(i, random, { samples: 2000, medianMs: 4 }), 2),
  );
  polluted.push(withHealth(run(11, random, { samples: 2000, medianMs: 4, shift: 0.4 }), 2));
  const p50 = trends(polluted).metrics.find((m) => m.metric === 'handshake.p50')!;
  assert.ok(p50.regression, JSON.stringify(p50));
  assert.equal(p50.values.length, 12, 'every run is still plotted');

  // And an invalid latest run is judged against nothing.
  const invalidLast = [
    ...history.slice(0, 7),
    withHealth(run(7, random, { samples: 2000, medianMs: 40 }), 900, 'generator'),
  ];
  const report = trends(invalidLast);
  assert.equal(report.judged, 0);
  assert.ok(report.metrics.every((m) => m.status === 'not_judged' && !m.regression));
});
