import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Summary } from '../../harness/model/summary.ts';
import { runCli } from '../helpers/cli.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';

/** Each handshake takes this long and they are answered one at a time: the server's limit is 1000/20 = 50/s. */
const SERVICE_MS = 20;

let server: Awaited<ReturnType<typeof rawServer>>;
let dir: string;
before(async () => {
  const queue: Array<() => void> = [];
  let busy = false;
  const serveNext = () => {
    const next = queue.shift();
    if (!next) {
      busy = false;
      return;
    }
    busy = true;
    setTimeout(() => {
      next();
      serveNext();
    }, SERVICE_MS);
  };
  server = await rawServer((socket, head) => {
    queue.push(() => {
      const accept = createHash('sha1')
        .update(`${requestKey(head)}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
    });
    if (!busy) serveNext();
  });
  dir = mkdtempSync(join(tmpdir(), 'wsgate-capacity-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function scenario(extra = ''): string {
  const file = join(dir, `capacity-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: serial
targets:
  - name: serial
    url: ws://127.0.0.1:${server.port}/
credentials:
  - name: open
    expect: 200
${extra}`,
  );
  return file;
}

test('wsgate capacity finds the limit of a server that answers one handshake at a time', async () => {
  const out = join(dir, 'run');
  const r = await runCli(
    [
      'capacity',
      scenario('thresholds:\n  - capacity.sustainable >= 15\n'),
      '--from',
      '10',
      '--factor',
      '2',
      '--step',
      '2s',
      '--settle',
      '300ms',
      '-o',
      out,
    ],
    { timeoutMs: 120_000 },
  );
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  const c = summary.capacity!;
  const steps = c.steps.map((s) => `${s.rate}:${s.passed ? 'held' : s.broke}`).join(' ');
  assert.equal(c.stoppedBy, 'latency', `${c.verdict} (${steps}): ${c.steps.map((s) => s.why).join('; ')}`);
  // 50/s at best (timers run a little late, so 50/s itself may not hold); 80/s cannot. Low rates keep
  // the generator's part small, so a busy machine does not end the probe on the generator's side.
  assert.ok(c.sustainable! >= 20 && c.sustainable! <= 55, `sustainable ${c.sustainable} (${steps})`);
  assert.ok(c.brokenAt! > c.sustainable! && c.brokenAt! <= 80, `broke at ${c.brokenAt} (${steps})`);
  assert.ok(
    c.steps.some((s) => s.refining),
    `no step closed in (${steps})`,
  );
  assert.ok(
    c.steps.every((s) => s.generator && s.broke !== 'generator'),
    steps,
  );
  assert.equal(summary.metrics['capacity.sustainable'], c.sustainable);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /capacity +\d+ attempts\/s sustainable \(stopped by latency\)/);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /id="capacity-steps"/);
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /### Capacity of serial/);
});

test('wsgate capacity refuses options it cannot use, with exit 2 and the option named', async () => {
  const file = scenario();
  const bad = await runCli(['capacity', file, '--from', 'fast']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--from.*expected a rate from 0.1 to 100000, got "fast"/);
  const crossed = await runCli(['capacity', file, '--from', '500', '--max', '100']);
  assert.equal(crossed.code, 2);
  assert.match(crossed.stderr, /first step \(500\/s\) is above the highest rate tried \(100\/s\)/);
  const target = await runCli(['capacity', file, '--target', 'nope']);
  assert.equal(target.code, 2);
  assert.match(target.stderr, /--target: no gateway target is named "nope" \(known: serial\)/);
  const share = await runCli(['capacity', file, '--errors', '150%']);
  assert.equal(share.code, 2);
  assert.match(share.stderr, /--errors.*expected a share such as 1% or 0.01/);
});
