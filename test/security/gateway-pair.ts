import { FIXTURE_CREDENTIALS } from '../../fixtures/auth-registry.ts';
import { type RunningFixtures, startFixtures } from '../../fixtures/index.ts';
import type { MisbehavingGateway } from '../../fixtures/node-gateway/misbehaving-gateway.ts';

const app = FIXTURE_CREDENTIALS.validApp;

/** The bundled fixtures with the reference and the misbehaving gateway side by side (auth timeout 300 ms). */
export async function startGatewayPair(): Promise<{ fx: RunningFixtures; bad: MisbehavingGateway }> {
  const fx = await startFixtures({ gateways: ['reference', 'misbehaving'], authTimeoutMs: 300 });
  return { fx, bad: fx.gateways.misbehaving as MisbehavingGateway };
}

/** A target line for one fixture gateway, with the backend record, as a user's scenario would name it. */
export function targetYaml(fx: RunningFixtures, gateway: 'reference' | 'misbehaving', name: string = gateway): string {
  return (
    `  - { name: ${name}, url: "${fx.urls[`gateway.${gateway}`]}/echo", backend: ` +
    `{ record: "${fx.urls['backend.record']}" } }`
  );
}

/** authService control plus the allowed (valid-app) and denied (wrong-secret) references the auth fixture knows. */
export function referencesYaml(fx: RunningFixtures): string {
  return `authService: { control: "${fx.urls['auth.control']}" }
credentials:
  - { name: valid-app, expect: 200, headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: ${app.secret} } }
  - name: wrong-secret
    expect: 401
    headers: { X-IBM-Client-Id: ${app.clientId}, X-IBM-Client-Secret: sk-wrong-secret-value }`;
}
