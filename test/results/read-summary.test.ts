import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { trends } from '../../harness/analysis/trend.ts';
import { readHistory } from '../../harness/history/history.ts';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import type { LatencySummary } from '../../harness/model/histogram.ts';
import { SUMMARY_SCHEMA_VERSION } from '../../harness/model/summary.ts';
import { upgradeSummary } from '../../harness/results/read-summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-read-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rtt(ms: number): LatencySummary {
  const r = new LatencyRecorder();
  for (let i = 0; i < 500; i++) r.record(ms * (0.8 + (i % 40) / 100));
  const s = r.summary()!;
  r.destroy();
  return s;
}

/** A summary as wsgate wrote it at version 2: held round trips named first_echo / message_rtt. */
function v2(i: number, ms: number) {
  const first = rtt(ms * 2);
  const later = rtt(ms);
  return {
    schema: 'wsgate.summary',
    schemaVersion: 2,
    run: { id: `old${i}`, startedAt: new Date(Date.UTC(2026, 9, 1 + i)).toISOString() },
    scenario: { name: 'nightly' },
    verdict: { passed: true },
    load: {
      held: { dropped: 0, dropCodes: {}, firstEcho: first, messageRtt: later },
      sets: [{ target: 'gw', credential: 'app', timings: { upgrade: rtt(3), firstEcho: first, message: later } }],
    },
    metrics: { 'first_echo.p95': first.p95, 'message_rtt.p95': later.p95, 'message_rtt.p50': later.p50, dropped: 0 },
    thresholds: [{ source: 'message_rtt.p95 < 50ms', metric: 'message_rtt.p95', op: '<', value: 50, passed: true }],
    trend: { tolerances: { message_rtt: 0.1, handshake: 0.05 } },
  };
}

test('a version 2 summary reads as version 3: first_echo and message_rtt are session.first_rtt and session.rtt', () => {
  const old = v2(1, 4);
  const s = upgradeSummary(structuredClone(old));
  assert.equal(s.schemaVersion, SUMMARY_SCHEMA_VERSION);
  assert.equal(SUMMARY_SCHEMA_VERSION, 3);
  assert.equal(s.metrics['session.rtt.p95'], old.metrics['message_rtt.p95']);
  assert.equal(s.metrics['session.rtt.p50'], old.metrics['message_rtt.p50']);
  assert.equal(s.metrics['session.first_rtt.p95'], old.metrics['first_echo.p95']);
  assert.deepEqual(
    Object.keys(s.metrics).filter((k) => /first_echo|message_rtt/.test(k)),
    [],
  );
  assert.deepEqual(s.load!.held!.rtt, old.load.held.messageRtt);
  assert.deepEqual(s.load!.held!.firstRtt, old.load.held.firstEcho);
  assert.deepEqual(Object.keys(s.load!.sets[0]!.timings!).sort(), ['firstRtt', 'rtt', 'upgrade']);
  assert.equal(s.thresholds[0]!.metric, 'session.rtt.p95');
  assert.deepEqual(s.trend!.tolerances, { 'session.rtt': 0.1, handshake: 0.05 });
});

test('a newer summary than this wsgate reads is refused with the versions named', () => {
  assert.throws(() => upgradeSummary({ schema: 'wsgate.summary', schemaVersion: 4 }), /version 4.*up to 3/);
});

test('wsgate trend reads a history of version 2 and 3 summaries as one series of session.rtt', () => {
  const history = join(dir, 'history');
  mkdirSync(history);
  for (let i = 0; i < 4; i++) writeFileSync(join(history, `old${i}.json`), JSON.stringify(v2(i, 4)));
  const now = upgradeSummary(v2(9, 4));
  // What this version writes: the new names only.
  writeFileSync(join(history, 'new.json'), JSON.stringify({ ...now, run: { ...now.run, id: 'new' } }));
  const runs = readHistory(history);
  assert.equal(runs.length, 5);
  const rttSeries = trends(runs).metrics.find((m) => m.metric === 'session.rtt.p95');
  assert.ok(rttSeries, 'session.rtt.p95 is a trend metric');
  assert.equal(rttSeries.values.filter((v) => v !== undefined).length, 5, 'every run has a value');
});
