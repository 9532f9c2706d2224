import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupMetric } from '../../harness/model/metrics.ts';
import { parseThreshold, unwrittenBecause } from '../../harness/plan/thresholds.ts';

function parsed(source: string) {
  const p = parseThreshold(source);
  if (!p.ok) assert.fail(p.message);
  return p.threshold;
}
function refused(source: string): string {
  const p = parseThreshold(source);
  assert.equal(p.ok, false, `${source} should be refused`);
  return p.ok ? '' : p.message;
}

test('threshold units convert to the metric unit: s to ms, % to a fraction', () => {
  assert.equal(parsed('handshake.p95 < 1.5s').value, 1500);
  assert.equal(parsed('handshake.p95 < 50ms').value, 50);
  assert.equal(parsed('handshake.p95 < 50').value, 50);
  assert.equal(parsed('error_rate <= 1%').value, 0.01);
  assert.deepEqual(parsed('unexpected_outcomes == 0'), {
    source: 'unexpected_outcomes == 0',
    metric: 'unexpected_outcomes',
    op: '==',
    value: 0,
  });
});

test('a threshold on an unknown metric, a bad statistic or a unit that does not fit is refused', () => {
  assert.match(refused('latency.p95 < 5ms'), /unknown metric "latency.p95"/);
  assert.match(refused('overhead.p999 < 5ms'), /unknown metric "overhead.p999"/);
  assert.match(refused('handshake < 5ms'), /unknown metric "handshake"/);
  assert.match(refused('upgrade.p95 < 5ms'), /handshake\.\*/);
  assert.match(refused('handshake.p95 <'), /is not a threshold/);
  assert.match(refused('checks_failed < 5ms'), /not a duration/);
  assert.match(refused('handshake.p95 < 5%'), /not a share/);
});

test('a metric no phase writes for the scenario says why; one that is written says nothing', () => {
  const run = {
    phases: ['conformance', 'load'] as const,
    conditions: new Set<'held-connections'>(['held-connections']),
  };
  assert.match(
    unwrittenBecause(lookupMetric('overhead.p95')!, run) ?? '',
    /overhead, which this scenario does not run/,
  );
  assert.match(unwrittenBecause(lookupMetric('tls.p95')!, run) ?? '', /wss:\/\/ target under load/);
  assert.match(unwrittenBecause(lookupMetric('session.rtt.p99')!, run) ?? '', /messageEvery/);
  assert.equal(unwrittenBecause(lookupMetric('dropped')!, run), undefined);
  assert.equal(unwrittenBecause(lookupMetric('handshake.p99')!, run), undefined);
});

test('dropped.<code> is a threshold metric for any close code; session.lost and session.rtt need held messages', () => {
  assert.equal(lookupMetric('dropped.1006')?.key, '1006');
  assert.equal(lookupMetric('dropped.4001')?.base, 'dropped');
  assert.equal(lookupMetric('dropped.999'), undefined);
  assert.equal(lookupMetric('dropped.p95'), undefined);
  assert.equal(lookupMetric('message_rtt.p95'), undefined, 'the old name is gone: one name per measure');
  assert.equal(lookupMetric('session.lost')?.def.when, 'held-messages');
  assert.equal(lookupMetric('session.rtt.p99')?.def.kind, 'latency');
});
