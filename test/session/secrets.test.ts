import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { Summary } from '../../harness/model/summary.ts';
import { readScenario } from '../../harness/scenario/read.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsgate-session-secrets-'));
const SECRET = 'sk-session-leak-Qw8Zr2Lm7Xp4';
const TOKEN = 'tok-bearer-leak-Hn5Vb1Kc9Ty3';

/**
 * A gateway that leaks what it was given everywhere a session check looks: the client's secret in
 * its first message and in every close reason, and records (backend and auth service) that hold it
 * in headers, close reasons and the handshake headers the auth service was handed.
 */
let port = 0;
let headersSeen: IncomingHttpHeaders = {};
const http = createServer((req, res) => {
  const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const secret = String(headersSeen['x-ibm-client-secret'] ?? '');
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/record') {
    const attempt = url.searchParams.get('attempt') ?? '';
    return json({
      next: 1,
      total: 1,
      connections: [
        {
          seq: 0,
          time: new Date().toISOString(),
          path: `/echo?leak=${secret}`,
          attempt,
          headers: { ...headersSeen, 'x-forwarded-for': secret, origin: secret, 'x-wsgate-attempt': attempt },
          protocol: secret,
          offeredProtocols: [secret],
          extensions: '',
          offeredExtensions: secret,
          firstMessages: [],
          pings: 0,
          pongs: 0,
          closeReceived: { code: 4001, reason: secret },
          closeSent: { code: 4002, reason: secret },
          ended: 'client-close',
        },
      ],
    });
  }
  if (url.pathname === '/requests') {
    return json({
      next: 1,
      total: 1,
      requests: [
        {
          seq: 0,
          time: new Date().toISOString(),
          method: 'GET',
          url: `/authorize?leak=${secret}`,
          headers: {
            ...headersSeen,
            'sec-websocket-protocol': secret,
            upgrade: secret,
            authorization: `Bearer ${TOKEN}`,
          },
        },
      ],
    });
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http, handleProtocols: (p) => [...p][0] ?? false });
wss.on('connection', (ws, req) => {
  headersSeen = req.headers;
  const secret = String(req.headers['x-ibm-client-secret'] ?? '');
  ws.on('error', () => undefined);
  ws.send(`hello ${secret} and ${TOKEN}`);
  ws.on('message', (d, binary) => {
    const text = d.toString();
    if (!binary && text.startsWith('__wsgate:close')) ws.close(4002, secret);
    else if (!binary && text === '__wsgate:kill') ws.close(1011, `${secret} died`);
    else if (!binary && text.startsWith('__wsgate:ping')) ws.ping(secret);
    else ws.send(binary ? d : `${text} ${secret}`, { binary });
  });
  ws.on('close', () => undefined);
});

before(async () => {
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  port = (http.address() as { port: number }).port;
});
after(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  await new Promise((r) => http.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('no secret reaches any output of a session run: frames, close reasons, records, console', async () => {
  const file = join(dir, 'leaky.yaml');
  writeFileSync(
    file,
    `name: leaky
targets:
  - name: leaky
    url: ws://127.0.0.1:${port}/echo
    backend: { record: "http://127.0.0.1:${port}/record" }
    session: { http2: false }
authService:
  requests: http://127.0.0.1:${port}/requests
credentials:
  - name: valid-app
    expect: 200
    subprotocols: [wsgate.v1]
    headers: { X-IBM-Client-Id: app-id-leaky-1, X-IBM-Client-Secret: ${SECRET} }
    bearer: ${TOKEN}
session: { timeout: 500ms, forwarded: require }
`,
  );
  const out = join(dir, 'out');
  const res = await runCli(['run', file, '--out', out, '--trace', '2'], { timeoutMs: 60_000 });
  assert.equal(res.code, 1, 'the leaks fail checks');
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  // The leaks were there to mask: checks saw the leaked frames, closes and records.
  const checks = summary.session!.results[0]!.checks;
  assert.ok(
    checks.some((c) => (c.evidence.frames ?? []).some((f) => f.preview.includes('«secret»'))),
    'a frame',
  );
  assert.ok(
    checks.some((c) => JSON.stringify(c.evidence.backend ?? {}).includes('«secret»')),
    'the backend record',
  );
  assert.ok(
    checks.some((c) => Object.values(c.evidence.auth?.unwanted ?? {}).some((v) => v.includes('«secret»'))),
    'the auth record',
  );
  assert.ok(
    checks.some((c) => c.evidence.close?.reason === '«secret»'),
    'a close reason',
  );
  const secrets = readScenario(file).secrets.all();
  assert.ok(secrets.includes(SECRET) && secrets.includes(TOKEN));
  const outputs = readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')] as const);
  assert.deepEqual(outputs.map(([f]) => f).sort(), [
    'index.html',
    'junit.xml',
    'summary.json',
    'summary.md',
    'trace.txt',
  ]);
  for (const [name, text] of [...outputs, ['stdout', res.stdout] as const, ['stderr', res.stderr] as const])
    for (const s of secrets) assert.ok(!text.includes(s), `${name} holds a secret (${s.slice(0, 6)}…)`);
});
