import autocannon from 'autocannon';
import { type PlannedCredential, type PlannedTarget, requestPath } from '../plan/plan.ts';

/** Requests and answers of the authorization URL measured directly, accumulated over calls. */
export interface AuthBenchTally {
  latenciesMs: number[];
  /** Most connections used in one call (the open model sizes each call from the round before). */
  connections: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

/** An empty tally to accumulate `benchAuthUrl` calls into. */
export function newAuthBenchTally(): AuthBenchTally {
  return { latenciesMs: [], connections: 0, statusCodes: {}, errors: 0, timeouts: 0 };
}

/**
 * Send `amount` requests to the authorization URL with autocannon over `connections` keep-alive
 * connections, carrying what the gateway forwards for this credential (its headers plus the
 * original URI and method, where API keys and the route live). Closed loop on purpose: autocannon's
 * own rate limit sends each second's requests in a burst, which would measure its queueing, not the
 * auth service. Each response time is taken from autocannon's per-response event (microsecond
 * precision; its own histogram keeps whole milliseconds). Results are added to `tally`; nothing is
 * recorded when `tally` is undefined (warm-up).
 */
export async function benchAuthUrl(
  url: string,
  auth: PlannedTarget,
  credential: PlannedCredential,
  connections: number,
  amount: number,
  tally: AuthBenchTally | undefined,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted || amount <= 0) return;
  connections = Math.max(1, Math.min(amount, connections));
  const headers: Record<string, string> = {};
  for (const [name, value] of [...auth.headers, ...credential.headers]) headers[name.toLowerCase()] = value;
  headers['x-original-uri'] = requestPath(auth, credential);
  headers['x-original-method'] = 'GET';
  const latencies: number[] = [];
  let stop = () => {};
  const onAbort = () => stop();
  signal.addEventListener('abort', onAbort, { once: true });
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'GET',
        headers,
        connections,
        amount,
        timeout: Math.ceil(auth.handshakeTimeoutMs / 1000),
        // Results are read when autocannon samples; a short interval ends a small batch promptly.
        sampleInt: 10,
        excludeErrorStats: true,
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
    stop = () => instance.stop();
  }).finally(() => signal.removeEventListener('abort', onAbort));
  if (!tally) return;
  tally.latenciesMs.push(...latencies);
  tally.connections = Math.max(tally.connections, connections);
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
    tally.statusCodes[code] = (tally.statusCodes[code] ?? 0) + (stat.count ?? 0);
  tally.errors += result.errors;
  tally.timeouts += result.timeouts;
}
