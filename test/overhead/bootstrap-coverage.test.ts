import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapDifferences } from '../../harness/stats/bootstrap.ts';
import { simulate } from './simulate.ts';

// A statistical property over 120 simulated measurements: kept out of the mutation run
// (stryker.config.mjs), where instrumented code makes it take minutes; bootstrap.test.ts pins the
// computation exactly.

test('the 95% interval covers the true difference about 95% of the time when rounds drift', () => {
  let covered = 0;
  const trials = 120;
  for (let i = 0; i < trials; i++) {
    const d = bootstrapDifferences(simulate(1000 + i, 20, 30, 0.5), {
      percentiles: [50],
      resamples: 500,
      confidence: 0.95,
      seed: i,
    }).differences[0]!;
    if (d.ciLow <= 0.5 && 0.5 <= d.ciHigh) covered++;
  }
  // Binomial(120, 0.95) is below 104 with probability < 0.2%; an 80% interval passed off as 95% would cover ~96.
  assert.ok(covered >= 104, `covered ${covered} of ${trials}`);
});
