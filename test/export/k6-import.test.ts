import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseTime } from '../../harness/export/k6/json-output.ts';
import { LatencyRecorder } from '../../harness/metrics/latency-recorder.ts';
import type { Summary } from '../../harness/model/summary.ts';
import { readScenario } from '../../harness/scenario/read.ts';
import { runCli } from '../helpers/cli.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const QUICKSTART = join(ROOT, 'scenarios/quickstart.yaml');
const DIR = mkdtempSync(join(tmpdir(), 'wsgate-k6-import-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

/**
 * k6 `--out json` lines as k6 writes them (internal/output/json: a Metric line the first time a
 * metric is seen, then Point lines with RFC 3339 nanosecond times in the writer's own offset),
 * for the quickstart scenario's exported script run by one k6-operator instance.
 */
class K6Output {
  private readonly lines: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly instance: string,
    private readonly offset: string,
  ) {}

  point(metric: string, type: string, atMs: number, value: number, tags: Record<string, string>): this {
    if (!this.seen.has(metric)) {
      this.seen.add(metric);
      this.lines.push(
        JSON.stringify({
          type: 'Metric',
          data: {
            name: metric,
            type,
            contains: type === 'trend' ? 'time' : 'default',
            thresholds: [],
            submetrics: null,
          },
          metric,
        }),
      );
    }
    this.lines.push(
      JSON.stringify({
        metric,
        type: 'Point',
        data: {
          time: rfc3339(atMs, this.offset),
          value,
          tags: {
            group: '',
            instance_id: this.instance,
            testid: 'wsgate-quickstart',
            // k6's url tag carries the whole URL: a query secret in it must never reach a report.
            url: 'ws://gw.example:8080/echo?apikey=sk-orders-web-7Hq2xVb9LmPz',
            ...tags,
          },
          metadata: { vu: '1', iter: '0' },
        },
      }),
    );
    return this;
  }

  /** One upgrade attempt as the exported script's attempt() leaves it in k6's output. */
  attempt(scenario: string, atMs: number, credential: string, status: string | undefined, handshakeMs: number): this {
    const tags = { scenario, target: 'reference', credential, ...(status ? { status } : {}) };
    this.point('ws_connecting', 'trend', atMs, handshakeMs + 0.25, tags);
    this.point('ws_sessions', 'counter', atMs, 1, tags);
    if (status === '101') {
      this.point('wsgate_handshake', 'trend', atMs, handshakeMs, { scenario, target: 'reference', credential });
      this.point('ws_session_duration', 'trend', atMs + 40, 40 + handshakeMs, tags);
    }
    return this;
  }

  check(atMs: number, name: string, passed: boolean): this {
    return this.point('checks', 'rate', atMs, passed ? 1 : 0, { scenario: 'conformance', check: name });
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Go's time.Time JSON: nanoseconds, in the given offset. */
function rfc3339(ms: number, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const shift = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + shift * 60_000).toISOString().slice(0, 23);
  return `${local}${String(Math.round((ms % 1) * 1e6)).padStart(6, '0')}${offset === 'Z' ? 'Z' : offset}`;
}

const T0 = Date.parse('2026-05-01T10:00:00.000Z');

/** Instance 1: the conformance pass and 40 load attempts; instance 2: 40 more, `slow` of them at 300 ms. */
function outputs(opts: { slow?: number; failed?: number } = {}) {
  const one = new K6Output('1', '+02:00');
  const c = 'conformance';
  one.attempt(c, T0 - 9000, 'valid-app', '101', 4).check(T0 - 9000, 'valid-app via reference: status 101', true);
  one.check(T0 - 8990, 'valid-app via reference: echo comes back', true);
  one.attempt(c, T0 - 8900, 'wrong-secret', '401', 3).check(T0 - 8900, 'wrong-secret via reference: status 401', true);
  one
    .attempt(c, T0 - 8800, 'missing-client-id', '400', 3)
    .check(T0 - 8800, 'missing-client-id via reference: status 400', true);
  const two = new K6Output('2', 'Z');
  const handshakes: number[] = [];
  for (let i = 0; i < 40; i++) {
    const at = T0 + i * 50 + 0.123456;
    const valid = i % 10 !== 9;
    one.attempt('load', at, valid ? 'valid-app' : 'wrong-secret', valid ? '101' : '401', 2 + (i % 7));
    if (valid) handshakes.push(2 + (i % 7));
    const slow = i < (opts.slow ?? 0);
    const failed = i >= 40 - (opts.failed ?? 0);
    const status = failed ? undefined : valid ? '101' : '401';
    two.attempt('load', at + 25, valid ? 'valid-app' : 'wrong-secret', status, slow ? 300 : 5 + (i % 11));
    if (valid && !failed) handshakes.push(slow ? 300 : 5 + (i % 11));
  }
  return { one: one.text(), two: two.text(), handshakes };
}

async function importK6(files: string[], out: string, scenario = QUICKSTART) {
  const res = await runCli(['import', 'k6', ...files, '--scenario', scenario, '--out', out]);
  const summary = res.code === 2 ? undefined : (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary);
  return { res, summary };
}

test('k6 times are read to the microsecond, with their offsets', () => {
  assert.equal(parseTime('2017-05-09T14:34:45.625742514+02:00'), Date.parse('2017-05-09T12:34:45.625Z') + 0.742);
  assert.equal(parseTime('2026-05-01T10:00:00Z'), T0);
  assert.equal(parseTime('2026-05-01T02:30:00.5-07:30'), T0 + 500);
  assert.equal(parseTime('2026-05-01 10:00:00'), undefined, 'no offset: ambiguous');
  assert.equal(parseTime('2026-13-01T10:00:00Z'), undefined);
});

test('two instances (plain and gzipped) merge into one judged report: counts, percentiles of all samples', async () => {
  const { one, two, handshakes } = outputs();
  writeFileSync(join(DIR, 'runner-1.json'), one);
  writeFileSync(join(DIR, 'runner-2.json.gz'), gzipSync(two));
  const out = join(DIR, 'pass');
  const { res, summary } = await importK6([join(DIR, 'runner-1.json'), join(DIR, 'runner-2.json.gz')], out);
  assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
  const s = summary!;
  assert.equal(s.run.command, 'import k6');
  assert.equal(s.load!.attempts, 80);
  assert.equal(s.load!.upgrades, 72);
  assert.deepEqual(s.load!.outcomes, { upgraded: 72, http_401: 8 });
  assert.equal(s.load!.unexpected, 0);
  const union = new LatencyRecorder();
  for (const v of handshakes) union.record(v);
  const expected = union.summary()!;
  union.destroy();
  for (const k of ['count', 'p50', 'p90', 'p95', 'p99'] as const) assert.equal(s.load!.handshake![k], expected[k], k);
  // Times written in +02:00 and in Z fall into the same seconds: 40 attempts a second over two seconds.
  assert.deepEqual(
    s.load!.series.map((x) => [x.t, x.attempts]),
    [
      [0, 40],
      [1, 40],
    ],
  );
  assert.equal(s.load!.startedAt, '2026-05-01T10:00:00.000Z');
  // The conformance scenario's checks, as wsgate check would count them; the fault-state set was not exported.
  assert.deepEqual([s.conformance!.passed, s.conformance!.failed, s.conformance!.notRun], [3, 0, 1]);
  assert.deepEqual(
    s.thresholds.map((t) => [t.source, t.passed]),
    [
      ['unexpected_outcomes == 0', true],
      ['checks_failed == 0', true],
      ['handshake.p95 < 250ms', true],
    ],
  );
  assert.deepEqual(
    s.runners!.map((r) => [r.label, r.attempts, r.clock?.startOffsetMs]),
    [
      ['instance 1', 40, 0],
      ['instance 2', 40, 25],
    ],
  );
  assert.equal(s.merge!.clock.spreadMs, 25);
  // No secret from a tag (nor the scenario) reaches any output.
  const secrets = readScenario(QUICKSTART).secrets.all();
  for (const f of readdirSync(out)) {
    const text = readFileSync(join(out, f), 'utf8');
    for (const secret of secrets) assert.ok(!text.includes(secret), `${f} holds a secret`);
  }
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /\| instance 2 \|/);
});

test('thresholds are judged on the merged samples: a p99 only the union breaks fails the gate (exit 1)', async () => {
  const scenario = join(DIR, 'gate.yaml');
  writeFileSync(
    scenario,
    readFileSync(QUICKSTART, 'utf8').replace(
      /thresholds:[\s\S]*$/,
      'thresholds:\n  - handshake.p99 < 100ms\n  - attempts >= 80\n  - generator.cpu < 0.9\n',
    ),
  );
  const { one, two } = outputs({ slow: 2 });
  writeFileSync(join(DIR, 'gate-1.json'), one);
  writeFileSync(join(DIR, 'gate-2.json'), two);
  const { res, summary } = await importK6(
    [join(DIR, 'gate-1.json'), join(DIR, 'gate-2.json')],
    join(DIR, 'gate'),
    scenario,
  );
  assert.equal(res.code, 1, res.stderr);
  const [p99, attempts, cpu] = summary!.thresholds;
  assert.deepEqual([p99!.passed, p99!.actual], [false, summary!.load!.handshake!.p99]);
  assert.ok(p99!.actual! >= 300);
  assert.ok(summary!.runners![0]!.handshake!.p99 < 100, 'instance 1 alone would pass');
  assert.deepEqual([attempts!.passed, attempts!.actual], [true, 80]);
  assert.match(cpu!.skipped ?? '', /k6's JSON output does not carry generator\.cpu/);
});

test('a gzipped file cut off mid-line is read up to the cut: the result is partial (exit 3)', async () => {
  const { one, two } = outputs({ failed: 3 });
  const gz = gzipSync(two);
  // k6 killed while writing: the stream stops inside a line, and the gzip trailer never comes.
  const cut = gz.subarray(0, gz.length - 30);
  writeFileSync(join(DIR, 'cut-1.json'), one);
  writeFileSync(join(DIR, 'cut-2.json.gz'), cut);
  const plainCut = two.slice(0, two.length - 40);
  writeFileSync(join(DIR, 'cut-plain.json'), plainCut);
  const { res, summary } = await importK6([join(DIR, 'cut-1.json'), join(DIR, 'cut-2.json.gz')], join(DIR, 'cut'));
  assert.equal(res.code, 3, res.stderr);
  const s = summary!;
  assert.equal(s.partial, true);
  assert.match(s.verdict.failures.join('\n'), /cut-2\.json\.gz: line \d+ \(\d+ bytes\) is cut off: k6 stopped/);
  assert.equal(s.runners![1]!.partial, true);
  // What came before the cut is counted, network failures (no status) as network_error.
  assert.ok(s.load!.attempts > 40 && s.load!.attempts <= 80, `${s.load!.attempts} attempts`);
  assert.ok((s.load!.outcomes.network_error ?? 0) <= 3);
  const plain = await importK6([join(DIR, 'cut-plain.json')], join(DIR, 'cut-plain'));
  assert.equal(plain.res.code, 3, plain.res.stderr);
  assert.equal(plain.summary!.runners![0]!.partial, true);
});

test('a line that is not k6 output, or an instance given twice, is invalid (exit 2, nothing written)', async () => {
  const { one } = outputs();
  const lines = one.split('\n');
  lines.splice(5, 0, '{"type":"Point","data":{"time":"yesterday","value":1},"metric":"ws_sessions"}');
  writeFileSync(join(DIR, 'bad.json'), lines.join('\n'));
  const bad = await importK6([join(DIR, 'bad.json')], join(DIR, 'bad'));
  assert.equal(bad.res.code, 2);
  assert.match(bad.res.stderr, /bad\.json:6: point of ws_sessions: data\.time: expected an RFC 3339 time/);
  writeFileSync(join(DIR, 'again.json'), one);
  const twice = await importK6([join(DIR, 'runner-1.json'), join(DIR, 'again.json')], join(DIR, 'twice'));
  assert.equal(twice.res.code, 2);
  assert.match(twice.res.stderr, /are both k6 instance 1: its samples would count twice/);
  assert.deepEqual(
    readdirSync(DIR).filter((f) => f === 'bad' || f === 'twice'),
    [],
  );
});
