import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { recorded, shimConfig } from './state.mjs';

const CHILD = fileURLToPath(new URL('./connect-child.mjs', import.meta.url));

/**
 * k6/ws connect(): synchronous like k6's. The script's callback registers handlers on a stand-in
 * socket; one real upgrade runs in a child (sending the echo message the script sends on open),
 * and its events are replayed to those handlers.
 */
export function connect(url, params, callback) {
  const handlers = {};
  const socket = {
    on: (event, handler) => (handlers[event] = handler),
    send: () => undefined,
    close: () => undefined,
    setTimeout: () => undefined,
    setInterval: () => undefined,
  };
  callback(socket);
  const headers = params?.headers || {};
  recorded.requests.push({ url, headers });
  const job = { url, headers, send: shimConfig.echo, timeoutMs: 3000 };
  const result = JSON.parse(execFileSync(process.execPath, [CHILD, JSON.stringify(job)], { encoding: 'utf8' }));
  if (result.status === 101) {
    handlers.open?.();
    for (const m of result.messages) handlers.message?.(m);
    handlers.close?.();
  }
  return { status: result.status };
}
export default { connect };
