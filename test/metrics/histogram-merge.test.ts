import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeLatencies,
  LatencyRecorder,
  type LatencySummary,
  mergeSummaries,
} from '../../harness/metrics/latency-recorder.ts';
import { seededRandom } from '../../harness/stats/random.ts';

/** One set of latencies (ms) spread like a real run: mostly ~1 ms on loopback, a long tail to ~2 s. */
function latencies(seed: number, n: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.01) return 200 + random() * 1800; // stalls
    if (r < 0.1) return 5 + random() * 100; // a slow auth call
    return 0.05 + -Math.log(1 - random()) * 0.8; // the body: 50 us and up
  });
}

function summaryOf(values: readonly number[]): LatencySummary | undefined {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  const s = r.summary();
  r.destroy();
  return s;
}

/** What a summary states, except the encoding (which need not be byte-identical to say the same). */
function stated(s: LatencySummary | undefined) {
  if (!s) return s;
  const { histogram, ...rest } = s;
  return { ...rest, unit: histogram.unit, significantDigits: histogram.significantDigits };
}

/** The summary of `s`'s histogram decoded into a fresh recorder. */
function decoded(s: LatencySummary): LatencySummary | undefined {
  const r = new LatencyRecorder();
  r.addEncoded(s.histogram.base64);
  const out = r.summary();
  r.destroy();
  return out;
}

/** Deal `values` into `parts` parts at random (some parts may get nothing). */
function split(values: readonly number[], parts: number, random: () => number): number[][] {
  const out = Array.from({ length: parts }, () => [] as number[]);
  for (const v of values) out[Math.floor(random() * parts)]!.push(v);
  return out;
}

test('merging the histograms of any split of a set of latencies gives the histogram of the whole set, exactly', () => {
  const random = seededRandom(20261128);
  for (let trial = 0; trial < 16; trial++) {
    const values = latencies(1000 + trial, 200 + Math.floor(random() * 2000));
    const parts = 1 + (trial % 8);
    const pieces = split(values, parts, random);
    const merged = mergeSummaries(pieces.map(summaryOf));
    const whole = summaryOf(values);
    const label = `trial ${trial}: ${values.length} values in ${parts} part(s) of ${pieces.map((p) => p.length)}`;
    assert.equal(merged?.count, values.length, label);
    // HDR add is exact: the merge states the same count, min, mean and every percentile as one recorder.
    assert.deepEqual(stated(merged), stated(whole), label);
    // The max is the top of the largest value's bucket: within the histogram's precision of it.
    const largest = Math.max(...values);
    assert.ok(Math.abs(merged!.max - largest) <= largest * 0.001 + 0.001, `${label}: max ${merged!.max}, ${largest}`);
    // And decoding the merged histogram again changes nothing.
    assert.deepEqual(stated(decoded(merged!)), stated(whole), label);
  }
});

test('the merged numbers are those of the raw values, within the histogram precision of 3 significant digits', () => {
  const values = latencies(7, 5000);
  const random = seededRandom(3);
  const merged = mergeSummaries(split(values, 5, random).map(summaryOf))!;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank from its definition: the smallest value with at least p% of the values at or below it.
  const rank = (p: number) => sorted[Math.ceil((p / 100) * sorted.length - 1e-9) - 1]!;
  // Recorded as whole microseconds (up to 0.5 us off), kept to 3 significant digits (0.1% of the value), read in ms.
  const near = (got: number, want: number, what: string) =>
    assert.ok(Math.abs(got - want) <= want * 0.001 + 0.0011, `${what}: ${got} ms for ${want} ms`);
  near(merged.min, sorted[0]!, 'min');
  near(merged.max, sorted.at(-1)!, 'max');
  near(merged.mean, values.reduce((a, b) => a + b, 0) / values.length, 'mean');
  for (const [key, p] of [
    ['p50', 50],
    ['p90', 90],
    ['p95', 95],
    ['p99', 99],
    ['p999', 99.9],
  ] as const) {
    near(merged[key], rank(p), key);
  }
});

test('absent parts (a worker that recorded nothing) are left out of the merge', () => {
  const values = latencies(11, 800);
  const whole = summaryOf(values);
  const [a, b] = split(values, 2, seededRandom(5));
  assert.equal(summaryOf([]), undefined, 'a recorder with nothing in it has no summary');
  assert.deepEqual(stated(mergeSummaries([undefined, summaryOf(a!), undefined, summaryOf(b!)])), stated(whole));
  // One part present: that part, as it is.
  const only = summaryOf(values);
  assert.equal(mergeSummaries([undefined, only, summaryOf([])]), only);
  assert.equal(mergeSummaries([]), undefined);
  assert.equal(mergeSummaries([undefined, undefined]), undefined);
});

test('a recorder keeps whole microseconds from 1 us up, and its summary reads them back in ms', () => {
  const r = new LatencyRecorder();
  for (const ms of [1.2344, 2, 0.0004, -5, 0.5, 1.2346, 1]) r.record(ms);
  const s = r.summary()!;
  r.destroy();
  assert.equal(s.count, 7);
  // 0.0004 ms and -5 ms are below the lowest trackable 1 us: recorded as 1 us.
  assert.equal(s.min, 0.001);
  assert.equal(s.max, 2);
  // Values under 2048 us are kept exactly: 1, 1, 500, 1000, 1234, 1235, 2000 us; the 4th of 7 is the median.
  assert.equal(s.p50, 1);
  assert.equal(s.p90, 2);
  assert.equal(s.p95, 2);
  assert.equal(s.mean, Math.round((1 + 1 + 500 + 1000 + 1234 + 1235 + 2000) / 7) / 1000);
  assert.deepEqual([s.histogram.unit, s.histogram.significantDigits], ['us', 3]);
  const five = new LatencyRecorder();
  for (const ms of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) five.record(ms);
  const f = five.summary()!;
  five.destroy();
  // Nearest rank of ten values: p50 the 5th, p90 the 9th, p95, p99 and p999 the 10th.
  assert.deepEqual([f.p50, f.p90, f.p95, f.p99, f.p999, f.mean], [0.5, 0.9, 1, 1, 1, 0.55]);
});

test('reset empties a recorder; encoded and encodeLatencies carry the same histogram as the summary', () => {
  const values = latencies(13, 500);
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  assert.equal(r.count, 500);
  const again = new LatencyRecorder();
  again.addEncoded(r.encoded());
  assert.deepEqual(stated(again.summary()), stated(r.summary()));
  // Adding to a recorder that already holds values adds the counts.
  again.addEncoded(r.encoded());
  assert.equal(again.summary()!.count, 1000);
  const encoded = encodeLatencies(values);
  assert.deepEqual([encoded.unit, encoded.significantDigits], ['us', 3]);
  const fromEncoded = new LatencyRecorder();
  fromEncoded.addEncoded(encoded.base64);
  assert.deepEqual(stated(fromEncoded.summary()), stated(r.summary()));
  r.reset();
  assert.equal(r.count, 0);
  assert.equal(r.summary(), undefined);
  r.record(2);
  assert.deepEqual([r.count, r.summary()!.min, r.summary()!.max], [1, 2, 2], 'a reset recorder records again');
  for (const x of [r, again, fromEncoded]) x.destroy();
});

test('a latency past the one-hour range still records (the histogram grows) and merges', () => {
  const twoHours = 2 * 3600 * 1000;
  const a = summaryOf([1, 2, twoHours])!;
  assert.equal(a.count, 3);
  assert.ok(Math.abs(a.max - twoHours) <= twoHours * 0.001, `max ${a.max} ms`);
  const merged = mergeSummaries([a, summaryOf([3])])!;
  assert.equal(merged.count, 4);
  assert.ok(Math.abs(merged.max - twoHours) <= twoHours * 0.001, `merged max ${merged.max} ms`);
});

test('a merged max is the max one recorder holding every value reports, and no percentile passes it', () => {
  const values = latencies(1, 1637);
  const [a, b] = split(values, 2, seededRandom(2));
  const whole = summaryOf(values)!;
  assert.ok(whole.p999 <= whole.max, `p999 ${whole.p999} above max ${whole.max}`);
  assert.equal(mergeSummaries([summaryOf(a!), summaryOf(b!)])!.max, whole.max);
});
