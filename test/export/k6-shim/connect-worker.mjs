// One real upgrade for the shim's synchronous ws.connect, in a worker thread: the main thread
// blocks (Atomics.wait) while this one talks to the gateway. It posts {status} once the upgrade is
// answered; after a 101 it waits for {send: [...]} (what the script sent in its open handler),
// sends each message as it is, and posts {messages} with whatever came back: an echo backend
// answers each message with itself, so a script that sends nothing gets nothing back.
import { workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, headers, timeoutMs, port, signal } = workerData;
let posted = false;

/** Hand `message` to the blocked main thread and wake it. */
function post(message) {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
const status = (code, error) => {
  if (posted) return;
  posted = true;
  post(error === undefined ? { status: code } : { status: code, error });
};
ws.on('unexpected-response', (_req, res) => {
  status(res.statusCode);
  ws.terminate();
});
ws.on('open', () => status(101));
ws.on('error', (err) => status(0, err.message));

const received = [];
ws.on('message', (data) => received.push(data.toString()));

port.on('message', ({ send }) => {
  const reply = () => {
    clearTimeout(timer);
    post({ messages: [...received] });
    ws.close();
    port.close();
  };
  // Every message sent comes back once from an echo backend; stop waiting when it has, or at the timeout.
  const timer = setTimeout(reply, timeoutMs);
  if (send.length === 0) return reply();
  ws.on('message', () => {
    if (received.length >= send.length) reply();
  });
  for (const m of send) ws.send(m);
});
