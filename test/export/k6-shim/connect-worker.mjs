// One real upgrade for the shim's synchronous ws.connect, in a worker thread: the main thread
// blocks (Atomics.wait) while this one talks to the gateway. It posts {status} once the upgrade is
// answered; after a 101 it waits for {send: [...]} (what the script sent in its open handler),
// sends each message as it is (a ping as a ping), and posts {messages} with whatever came back (a
// pong too): an echo backend answers each message with itself, so a script that sends nothing gets
// nothing back.
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

/** Text messages as strings, binary ones as {binary: base64}, pongs as {pong: true}, in the order they came. */
const received = [];
ws.on('message', (data, isBinary) =>
  received.push(isBinary ? { binary: Buffer.from(data).toString('base64') } : data.toString()),
);
ws.on('pong', () => received.push({ pong: true }));

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
  const enough = () => {
    if (received.length >= send.length) reply();
  };
  ws.on('message', enough);
  ws.on('pong', enough);
  for (const m of send) {
    if (typeof m === 'string') ws.send(m);
    else if (m.binary !== undefined) ws.send(Buffer.from(m.binary, 'base64'), { binary: true });
    else if (m.ping) ws.ping();
  }
});
