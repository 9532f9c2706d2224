import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Summary } from '../../harness/model/summary.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-trace-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'sk-orders-web-7Hq2xVb9LmPz';

test('--trace 2 writes the wire of the first two attempts per set: masked heads, frames, steps, evidence', async () => {
  const file = join(dir, 'trace.yaml');
  writeFileSync(
    file,
    `name: trace
fixtures: true
targets: [{ name: gw, url: "\${fixture:gateway}/echo" }]
credentials:
  - name: valid
    expect: 200
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: ${SECRET} }
  - name: wrong
    expect: 401
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-trace-wrong-secret }
load:
  workers: 2
  saturation: warn
  connections: { count: 6, rampUp: 300ms, hold: 700ms, messageEvery: 300ms }
`,
  );
  const out = join(dir, 'out');
  const r = await runCli(['run', file, '--trace', '2', '-o', out], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  const traces = s.load!.traces!;
  // Held connections draw only the set that upgrades: two of its six, over both workers, numbered 1
  // and 2 in scheduled order.
  assert.deepEqual(
    traces.map((t) => [t.credential, t.attempt]),
    [
      ['valid', 1],
      ['valid', 2],
    ],
  );
  assert.ok(traces[0]!.scheduledMs! <= traces[1]!.scheduledMs!, 'in scheduled order');
  for (const held of traces) {
    assert.equal(held.outcome, 'upgraded');
    assert.deepEqual(
      held.steps.map((x) => x.step),
      ['scheduled', 'started', 'connected', 'request_sent', 'first_byte', 'head_complete'],
    );
    // Held 700 ms with a message every 300 ms: messages out masked, echoes back unmasked, a close.
    assert.ok(
      held.frames.filter((f) => f.dir === 'sent' && f.opcode === 'text' && f.masked).length >= 2 &&
        held.frames.some((f) => f.dir === 'received' && f.opcode === 'text' && !f.masked) &&
        held.frames.some((f) => f.dir === 'sent' && f.opcode === 'close'),
      JSON.stringify(held.frames),
    );
  }
  const wrong = s.conformance!.checks.find((c) => c.credential === 'wrong')!.evidence!.wire!;
  assert.equal(wrong.outcome, 'http_401');
  assert.match(wrong.response!, /^HTTP\/1\.1 401 /);
  assert.match(wrong.body!, /httpCode/);
  const text = readFileSync(join(out, 'trace.txt'), 'utf8');
  assert.match(text, /== conformance gw \/ valid #1: upgraded/);
  assert.match(text, /== load gw \/ valid #2: upgraded, scheduled/);
  assert.match(text, /== conformance gw \/ wrong #1: http_401/);
  assert.match(text, /> X-IBM-Client-Secret: «secret»/);
  assert.match(text, /<< \+ *[\d.]+ ms {2}text \(fin\) 32 bytes: w{32}/);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /<pre class="trace">== conformance gw \/ valid #1/);
  for (const [name, body] of [
    ['trace.txt', text],
    ['index.html', html],
    ['summary.json', JSON.stringify(s)],
  ] as const) {
    assert.ok(!body.includes(SECRET) && !body.includes('sk-trace-wrong-secret'), `${name} holds a secret`);
  }
});

test('without --trace nothing is traced and no trace.txt is written', async () => {
  const out = join(dir, 'plain');
  const r = await runCli(['check', join(dir, 'trace.yaml'), '-o', out], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.throws(() => readFileSync(join(out, 'trace.txt')), /ENOENT/);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.ok(s.conformance!.checks.every((c) => c.evidence?.wire === undefined));
  const bad = await runCli(['check', join(dir, 'trace.yaml'), '--trace', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--trace.*expected a whole number from 1 to 1000, got "0"/);
});
