// One real upgrade for the shim's synchronous ws.connect: prints {status, messages} as JSON.
import WebSocket from 'ws';

const { url, headers, send, timeoutMs } = JSON.parse(process.argv[2]);
const out = { status: 0, messages: [] };
const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
const done = () => {
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
};
setTimeout(() => {
  ws.terminate();
  done();
}, timeoutMs).unref();
ws.on('unexpected-response', (_req, res) => {
  out.status = res.statusCode;
  done();
});
ws.on('upgrade', (res) => {
  out.status = res.statusCode;
});
ws.on('open', () => {
  if (send !== undefined) ws.send(send);
  else ws.close();
});
ws.on('message', (data) => {
  out.messages.push(data.toString());
  ws.close();
});
ws.on('close', done);
ws.on('error', done);
