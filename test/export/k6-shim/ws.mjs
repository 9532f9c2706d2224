import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { recorded } from './state.mjs';

const WORKER = new URL('./connect-worker.mjs', import.meta.url);
/** How long one upgrade, and then the echo of what the script sent, may take. */
const TIMEOUT_MS = 3000;

/**
 * k6/ws connect(): synchronous like k6's. The script's callback registers handlers on a stand-in
 * socket; one real upgrade runs in a worker thread while this thread waits. After a 101 the
 * script's open handler runs, and exactly what it sends there goes over that real connection; the
 * replies (an echo backend returns each message) are replayed to its message handler (binary ones
 * to binaryMessage, pongs to pong), then close.
 * A script that sends nothing, or something else, gets nothing, or that something, back.
 */
export function connect(url, params, callback) {
  const handlers = {};
  const sent = [];
  const socket = {
    on: (event, handler) => (handlers[event] = handler),
    send: (message) => sent.push(String(message)),
    // A binary message travels to the worker as base64; a ping as a marker (k6's ping sends no payload).
    sendBinary: (data) => sent.push({ binary: Buffer.from(data).toString('base64') }),
    ping: () => sent.push({ ping: true }),
    close: () => undefined,
    setTimeout: () => undefined,
    setInterval: () => undefined,
  };
  callback(socket);
  const headers = params?.headers || {};
  recorded.requests.push({ url, headers });

  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, {
    workerData: { url, headers, timeoutMs: TIMEOUT_MS, port: port2, signal },
    transferList: [port2],
  });
  worker.unref();
  try {
    const { status } = next(port1, signal, 1, `the upgrade of ${url}`);
    if (status === 101) {
      handlers.open?.();
      recorded.sent.push({ url, messages: [...sent] });
      port1.postMessage({ send: sent });
      const { messages } = next(port1, signal, 2, `the echo of ${JSON.stringify(sent).slice(0, 200)}`);
      for (const m of messages) {
        if (typeof m === 'string') handlers.message?.(m);
        else if (m.binary !== undefined) {
          const b = Buffer.from(m.binary, 'base64');
          handlers.binaryMessage?.(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
        } else if (m.pong) handlers.pong?.();
      }
      handlers.close?.();
    }
    return { status };
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** Block until the worker has posted its `count`-th message, at most a little over its own timeout. */
function next(port, signal, count, what) {
  const deadline = Date.now() + TIMEOUT_MS + 2000;
  for (;;) {
    const seen = Atomics.load(signal, 0);
    if (seen >= count) break;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`k6 shim: no answer for ${what} within ${TIMEOUT_MS + 2000} ms`);
    Atomics.wait(signal, 0, seen, left);
  }
  const received = receiveMessageOnPort(port);
  if (!received) throw new Error(`k6 shim: the worker signalled ${what} without a message`);
  return received.message;
}
export default { connect };
