import { type CryptoKey, importPKCS8, type KeyObject, SignJWT } from 'jose';
import type { AuthState, Verdict } from '../model/auth.ts';
import { parseDuration } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import type { CredentialDoc } from '../scenario/schema.ts';
import type { Problems } from './problems.ts';

/** What is known of a credential set before anything runs: enough to validate blocks that name it. */
export interface CredentialInfo {
  name: string;
  expect: Verdict;
  authState: AuthState;
  weight: number;
}

/** A credential set turned into what goes on the wire. */
export interface PlannedCredential extends CredentialInfo {
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  subprotocols: string[];
  origin?: string;
  path?: string;
  clientCert?: { cert: string; key: string };
  /** Passwords and tokens (basic password, bearer, minted JWT): never to reach the backend. */
  confidential: string[];
  /** When the minted JWT expires (epoch ms), for a JWT set. */
  expiresAt?: number;
}

/** Every credential set's CredentialInfo. */
export function credentialInfos(scenario: Scenario): CredentialInfo[] {
  return scenario.doc.credentials.map((c) => ({
    name: c.name,
    expect: c.expect,
    authState: c.authService ?? 'ok',
    weight: c.weight ?? 1,
  }));
}

/** The signing key of each JWT set, checked once: a key jose cannot use is a problem at its field. */
export async function jwtKeys(scenario: Scenario, problems: Problems): Promise<Map<number, CryptoKey | KeyObject>> {
  const keys = new Map<number, CryptoKey | KeyObject>();
  for (const [i, c] of scenario.doc.credentials.entries()) {
    if (!c.jwt) continue;
    const alg = c.jwt.alg ?? 'RS256';
    try {
      keys.set(i, await importPKCS8(c.jwt.privateKey, alg));
    } catch (err) {
      problems.add(
        ['credentials', i, 'jwt', 'privateKey'],
        `not a PKCS#8 PEM key usable with ${alg} (${(err as Error).message})`,
      );
    }
  }
  return keys;
}

/**
 * A credential set as it goes on the wire: basic auth encoded, a JWT minted with its checked key
 * (both registered as secrets, so every output masks them), every default fixed. `lifetimeMs`
 * replaces the JWT's `expiresIn` (a lifecycle check mints a fresh token that expires during it).
 */
export async function planCredential(
  scenario: Scenario,
  i: number,
  key: CryptoKey | KeyObject | undefined,
  lifetimeMs?: number,
): Promise<PlannedCredential> {
  const c = scenario.doc.credentials[i]!;
  const headers: Array<[string, string]> = Object.entries(c.headers ?? {});
  const confidential: string[] = [];
  if (c.basic) {
    confidential.push(c.basic.password);
    const encoded = Buffer.from(`${c.basic.username}:${c.basic.password}`).toString('base64');
    scenario.secrets.add(encoded);
    headers.push(['Authorization', `Basic ${encoded}`]);
  }
  if (c.bearer) {
    confidential.push(c.bearer);
    headers.push(['Authorization', `Bearer ${c.bearer}`]);
  }
  let expiresAt: number | undefined;
  if (c.jwt && key) {
    const minted = await mintJwt(c, key, lifetimeMs);
    const token = minted.token;
    expiresAt = minted.expiresAt;
    scenario.secrets.add(token);
    confidential.push(token);
    headers.push(['Authorization', `Bearer ${token}`]);
  }
  return {
    name: c.name,
    expect: c.expect,
    headers,
    query: Object.entries(c.query ?? {}),
    subprotocols: c.subprotocols ?? [],
    origin: c.origin,
    path: c.path,
    clientCert: c.clientCert,
    confidential,
    authState: c.authService ?? 'ok',
    weight: c.weight ?? 1,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

async function mintJwt(
  c: CredentialDoc,
  key: CryptoKey | KeyObject,
  lifetimeMs?: number,
): Promise<{ token: string; expiresAt: number }> {
  const jwt = c.jwt!;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = Math.round((lifetimeMs ?? parseDuration(jwt.expiresIn ?? '5m')) / 1000);
  const builder = new SignJWT({ ...(jwt.claims ?? {}) })
    .setProtectedHeader({ alg: jwt.alg ?? 'RS256', typ: 'JWT', ...(jwt.kid ? { kid: jwt.kid } : {}) })
    // An already-expired token was also issued in the past, so it is not rejected for "iat in future".
    .setIssuedAt(Math.min(now, now + lifetime - 60))
    .setExpirationTime(now + lifetime);
  if (jwt.issuer) builder.setIssuer(jwt.issuer);
  if (jwt.audience) builder.setAudience(jwt.audience);
  if (jwt.subject) builder.setSubject(jwt.subject);
  return { token: await builder.sign(key), expiresAt: (now + lifetime) * 1000 };
}

/** Values a gateway must never pass on: passwords and tokens, and values of headers/params it must strip. */
export function confidentialValues(cred: PlannedCredential, mustNotSee: readonly string[]): string[] {
  const named = [...cred.headers, ...cred.query]
    .filter(([name]) => mustNotSee.includes(name.toLowerCase()))
    .map(([, v]) => v);
  // An Authorization value is matched by its token, so a gateway re-wrapping it is still caught.
  return [...cred.confidential, ...named.map((v) => v.replace(/^(Basic|Bearer)\s+/i, ''))].filter((v) => v.length >= 4);
}
