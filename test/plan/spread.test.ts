import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSpread, type SpreadError } from '../../harness/plan/spread.ts';

const host = { openFiles: 20_000, ephemeralPorts: 28_232, cores: 2 };
const loopback = [{ key: '127.0.0.1:9000', loopback4: true }];

test('a plan that fits one address pair gets no source addresses and one worker per core', () => {
  const p = planSpread({ held: 10_000, maxInFlight: 5000, destinations: loopback }, host);
  assert.equal(p.workers, 2);
  assert.deepEqual(p.sourceAddresses, [[], []]);
  assert.equal(p.perWorker, 7500);
});

test('past one pair, loopback targets get 127.0.0.2 and up, never 127.0.0.1, each worker its own', () => {
  const p = planSpread({ held: 52_000, maxInFlight: 2000, workers: 4, destinations: loopback }, host);
  // 54,000 at once, a quarter of the range (7,058) per bound address: 8 addresses, 2 per worker.
  assert.deepEqual(p.sourceAddresses, [
    ['127.0.0.2', '127.0.0.6'],
    ['127.0.0.3', '127.0.0.7'],
    ['127.0.0.4', '127.0.0.8'],
    ['127.0.0.5', '127.0.0.9'],
  ]);
  assert.ok(p.sourceAddresses.flat().every((a) => a !== '127.0.0.1'));
});

test('descriptors: too few workers is an error naming how many would do', () => {
  assert.throws(
    () => planSpread({ held: 52_000, maxInFlight: 2000, workers: 2, destinations: loopback }, host),
    (e: SpreadError) => e.field === 'workers' && /set load\.workers to 3 or more/.test(e.message),
  );
});

test('a remote target past one pair needs addresses given, and says how many', () => {
  const remote = [{ key: '10.1.2.3:443', loopback4: false }];
  assert.throws(
    () => planSpread({ held: 40_000, maxInFlight: 1000, workers: 4, destinations: remote }, host),
    (e: SpreadError) =>
      e.field === 'sourceAddresses' && /list 6 addresses of this host in load\.sourceAddresses/.test(e.message),
  );
  const given = Array.from({ length: 6 }, (_, i) => `10.9.0.${i + 1}`);
  const p = planSpread(
    { held: 40_000, maxInFlight: 1000, workers: 4, sourceAddresses: given, destinations: remote },
    host,
  );
  assert.deepEqual(p.sourceAddresses.flat().sort(), [...given].sort());
});
