/**
 * The bundled echo backend, auth service and reference gateway as one test host: run inside a
 * network namespace (`node --import tsx test/helpers/gateway-host.ts <address> <port>`), the
 * backend and auth service on the namespace's own loopback, the gateway on `<address>:<port>`.
 * Prints one JSON line with the gateway's URL when ready; stops everything on SIGTERM or SIGINT.
 */
import { startAuthService } from '../../fixtures/auth-service.ts';
import { startEchoBackend } from '../../fixtures/echo-backend.ts';
import { startReferenceGateway } from '../../fixtures/node-gateway/reference-gateway.ts';

const [address, port] = process.argv.slice(2);
if (!address || !port) throw new Error('usage: gateway-host.ts <address> <port>');
const backend = await startEchoBackend();
const auth = await startAuthService();
const gateway = await startReferenceGateway({
  backendUrl: backend.url,
  authUrl: auth.url,
  host: address,
  port: Number(port),
});
process.stdout.write(`${JSON.stringify({ gateway: gateway.url, record: backend.recordUrl })}\n`);
const stop = async () => {
  await gateway.stop();
  await auth.stop();
  await backend.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
