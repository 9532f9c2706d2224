import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { Outcome } from '../../harness/model/outcome.ts';
import type { PlannedTarget } from '../../harness/plan/plan.ts';
import { rawServer, requestKey } from '../helpers/raw-server.ts';

/**
 * The outcome cases both upgrade clients must classify the same way (harness/outcome/classify.ts
 * is their one rule): a server behaviour, the target settings it needs, the outcome expected.
 * test/client/evidence-client.test.ts and test/client/load-client.test.ts run every case.
 */

/** RFC 6455 4.2.2, written out here rather than taken from the code under test (test/wire/accept.test.ts pins that). */
export function rfcAccept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

function switching(
  head: string,
  headers: { upgrade?: string; connection?: string; accept?: string | null } = {},
): string {
  const lines = ['HTTP/1.1 101 Switching Protocols'];
  if (headers.upgrade !== '') lines.push(`Upgrade: ${headers.upgrade ?? 'websocket'}`);
  if (headers.connection !== '') lines.push(`Connection: ${headers.connection ?? 'Upgrade'}`);
  if (headers.accept !== null) lines.push(`Sec-WebSocket-Accept: ${headers.accept ?? rfcAccept(requestKey(head))}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A server for one case, listening on loopback; `close` stops it and anything it started. */
export interface CaseServer {
  port: number;
  close(): Promise<void>;
}

export interface OutcomeCase {
  name: string;
  expected: Outcome;
  /** Target settings the case needs (short timeouts, wss). */
  target?: Partial<PlannedTarget>;
  /** Some cases need several attempts before the outcome shows (a filling accept queue): any of them counts. */
  attempts?: number;
  start(): Promise<CaseServer>;
}

const raw = (answer: (s: Socket, head: string) => void) => () => rawServer(answer);

export const OUTCOME_CASES: OutcomeCase[] = [
  { name: 'a correct 101', expected: 'upgraded', start: raw((s, head) => s.write(switching(head))) },
  {
    name: 'a correct 101 split over three writes',
    expected: 'upgraded',
    start: raw((s, head) => {
      const text = switching(head);
      s.write(text.slice(0, 9));
      setTimeout(() => s.write(text.slice(9, 60)), 15);
      setTimeout(() => s.write(text.slice(60)), 30);
    }),
  },
  {
    name: 'a 101 whose Connection header lists several tokens',
    expected: 'upgraded',
    start: raw((s, head) => s.write(switching(head, { connection: 'keep-alive, Upgrade' }))),
  },
  {
    name: 'a 101 with a wrong accept',
    expected: 'protocol_error',
    start: raw((s) => s.write(switching('', { accept: 'dGhlIHNhbXBsZSBub25jZQ==' }))),
  },
  {
    name: 'a 101 without an accept',
    expected: 'protocol_error',
    start: raw((s) => s.write(switching('', { accept: null }))),
  },
  {
    name: 'a 101 without Upgrade: websocket',
    expected: 'protocol_error',
    start: raw((s, head) => s.write(switching(head, { upgrade: '' }))),
  },
  {
    name: 'a 101 with Upgrade: h2c',
    expected: 'protocol_error',
    start: raw((s, head) => s.write(switching(head, { upgrade: 'h2c' }))),
  },
  {
    name: 'a 101 without Connection: Upgrade',
    expected: 'protocol_error',
    start: raw((s, head) => s.write(switching(head, { connection: 'keep-alive' }))),
  },
  {
    name: 'a response that is not HTTP',
    expected: 'protocol_error',
    start: raw((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n')),
  },
  {
    name: 'a connection closed inside the response head',
    expected: 'protocol_error',
    start: raw((s) => s.end('HTTP/1.1 101 Switching Pro')),
  },
  {
    name: 'a 401 with a body',
    expected: 'http_401',
    start: raw((s) =>
      s.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="api"\r\nContent-Length: 2\r\n\r\n{}'),
    ),
  },
  {
    name: 'a 500',
    expected: 'http_500',
    start: raw((s) => s.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n')),
  },
  {
    name: 'a connection closed before any response byte',
    expected: 'closed_before_response',
    start: raw((s) => s.end()),
  },
  { name: 'a connection reset before any response byte', expected: 'reset', start: raw((s) => s.resetAndDestroy()) },
  {
    name: 'a server that never answers',
    expected: 'handshake_timeout',
    target: { handshakeTimeoutMs: 300 },
    start: raw(() => undefined),
  },
  {
    name: 'a closed port',
    expected: 'refused',
    start: async () => {
      const server = await rawServer(() => undefined);
      await server.close();
      return { port: server.port, close: async () => undefined };
    },
  },
  {
    name: 'wss:// to a plain TCP server',
    expected: 'tls_error',
    target: { secure: true, tls: { rejectUnauthorized: false } },
    start: async () => {
      // The TLS ClientHello is not an HTTP head, so this server answers as soon as anything arrives.
      const server = createServer((s) => {
        s.on('error', () => undefined);
        s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return {
        port: (server.address() as { port: number }).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      };
    },
  },
  {
    name: 'a listener whose accept queue is full',
    expected: 'connect_timeout',
    target: { connectTimeoutMs: 400, handshakeTimeoutMs: 400 },
    attempts: 4,
    start: async () => {
      // Python holds a socket with backlog 0 that never accepts; once the queue is full, SYNs are dropped.
      const code =
        'import socket,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\n' +
        'print(s.getsockname()[1],flush=True)\ntime.sleep(30)';
      const py = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'ignore'] });
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('python3 did not start within 5 s')), 5000);
        py.stdout.once('data', (d: Buffer) => {
          clearTimeout(timer);
          resolve(Number(d.toString().trim()));
        });
        py.once('error', reject);
      });
      return { port, close: async () => void py.kill('SIGKILL') };
    },
  },
];
