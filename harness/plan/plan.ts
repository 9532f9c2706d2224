import type { ConnectionOptions } from 'node:tls';
import { importPKCS8, SignJWT } from 'jose';
import { parseThreshold, type Threshold } from './thresholds.ts';
import { durationOr, parseDuration } from '../scenario/duration.ts';
import { resolveFixtureRefs } from '../scenario/interpolate.ts';
import type { LoadedScenario } from '../scenario/read.ts';
import type { AuthState, CredentialDoc, TargetDoc } from '../scenario/schema.ts';
import type { Verdict } from '../scenario/schema-parts.ts';
import { CliError, EXIT_INVALID } from '../cli/exit-codes.ts';

/** Header or query parameter names a gateway must strip before the backend unless the target says otherwise. */
export const DEFAULT_MUST_NOT_SEE = ['x-ibm-client-secret', 'authorization', 'apikey'];

/** A target ready to connect to: URL parsed, TLS and timeouts resolved. */
export interface PlannedTarget {
  name: string;
  /** The URL with fixture references resolved (not secret: credentials never live in it). */
  url: string;
  host: string;
  port: number;
  secure: boolean;
  /** Path and query of the URL. */
  path: string;
  tls: ConnectionOptions;
  /** Auth verdict -> client statuses that count as that verdict through this gateway. */
  statusMap: ReadonlyMap<number, readonly number[]>;
  headers: Array<[string, string]>;
  /** A route without auth, only for overhead baselines; checks and probes skip it. */
  baseline: boolean;
  backend?: { recordUrl: string; mustNotSee: string[]; secretsMayPass: boolean };
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
}

/** A credential set turned into what goes on the wire. */
export interface PlannedCredential {
  name: string;
  expect: Verdict;
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  subprotocols: string[];
  origin?: string;
  path?: string;
  clientCert?: { cert: string; key: string };
  /** Passwords and tokens (basic password, bearer, minted JWT): never to reach the backend. */
  confidential: string[];
  authState: AuthState;
  weight: number;
}

export interface Plan {
  scenario: LoadedScenario;
  targets: PlannedTarget[];
  credentials: PlannedCredential[];
  check: { echo: string; echoTimeoutMs: number; settleMs: number };
  thresholds: Threshold[];
  /** Named fixture URLs when the run started fixtures. */
  fixtureUrls: Record<string, string>;
}

/**
 * Turn a loaded scenario into a plan: resolve `${fixture:}` URLs, mint JWTs (registering them as
 * secrets), encode basic auth, and fix every default. Async because minting a JWT is.
 */
export async function buildPlan(scenario: LoadedScenario, fixtureUrls: Record<string, string> = {}): Promise<Plan> {
  const doc = scenario.doc;
  const targets = doc.targets.map((t, i) => planTarget(scenario, t, i, fixtureUrls));
  const credentials: PlannedCredential[] = [];
  for (const [i, c] of doc.credentials.entries()) credentials.push(await planCredential(scenario, c, i));
  return {
    scenario,
    targets,
    credentials,
    check: {
      echo: doc.check?.echo ?? 'wsgate-echo',
      echoTimeoutMs: durationOr(doc.check?.echoTimeout, 2000),
      settleMs: durationOr(doc.check?.settle, 100),
    },
    thresholds: (doc.thresholds ?? []).map(parseThreshold),
    fixtureUrls,
  };
}

function planTarget(scenario: LoadedScenario, t: TargetDoc, i: number, fixtureUrls: Record<string, string>): PlannedTarget {
  const resolve = (text: string, field: Array<string | number>) => {
    try {
      return resolveFixtureRefs(text, fixtureUrls);
    } catch (err) {
      throw new CliError(`${scenario.where(field)}: ${(err as Error).message}`, EXIT_INVALID);
    }
  };
  const urlText = resolve(t.url, ['targets', i, 'url']);
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new CliError(`${scenario.where(['targets', i, 'url'])}: "${urlText}" is not a valid URL`, EXIT_INVALID);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new CliError(`${scenario.where(['targets', i, 'url'])}: expected a ws:// or wss:// URL, got ${url.protocol}//`, EXIT_INVALID);
  }
  const secure = url.protocol === 'wss:';
  const statusMap = new Map<number, number[]>();
  for (const [verdict, statuses] of Object.entries(t.statusMap ?? {})) {
    statusMap.set(Number(verdict), Array.isArray(statuses) ? statuses : [statuses]);
  }
  const tls: ConnectionOptions = {};
  if (t.tls?.ca) tls.ca = t.tls.ca;
  if (t.tls?.cert) tls.cert = t.tls.cert;
  if (t.tls?.key) tls.key = t.tls.key;
  tls.servername = t.tls?.servername ?? (isIp(url.hostname) ? undefined : url.hostname);
  if (t.tls?.insecure) tls.rejectUnauthorized = false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    name: t.name,
    url: url.toString(),
    host,
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    secure,
    path: (url.pathname || '/') + url.search,
    tls,
    statusMap,
    headers: Object.entries(t.headers ?? {}),
    baseline: t.baseline ?? false,
    backend: t.backend
      ? {
          recordUrl: resolve(t.backend.record, ['targets', i, 'backend', 'record']),
          mustNotSee: (t.backend.mustNotSee ?? DEFAULT_MUST_NOT_SEE).map((h) => h.toLowerCase()),
          secretsMayPass: t.backend.secretsMayPass ?? false,
        }
      : undefined,
    connectTimeoutMs: durationOr(t.timeouts?.connect, 5000),
    handshakeTimeoutMs: durationOr(t.timeouts?.handshake, 10_000),
  };
}

async function planCredential(scenario: LoadedScenario, c: CredentialDoc, i: number): Promise<PlannedCredential> {
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
  if (c.jwt) {
    const token = await mintJwt(scenario, c, i);
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
  };
}

async function mintJwt(scenario: LoadedScenario, c: CredentialDoc, i: number): Promise<string> {
  const jwt = c.jwt!;
  const alg = jwt.alg ?? 'RS256';
  let key;
  try {
    key = await importPKCS8(jwt.privateKey, alg);
  } catch (err) {
    throw new CliError(`${scenario.where(['credentials', i, 'jwt', 'privateKey'])}: not a PKCS#8 PEM key usable with ${alg} (${(err as Error).message})`, EXIT_INVALID);
  }
  const now = Math.floor(Date.now() / 1000);
  const lifetime = Math.round(parseDuration(jwt.expiresIn ?? '5m') / 1000);
  const builder = new SignJWT({ ...(jwt.claims ?? {}) })
    .setProtectedHeader({ alg, typ: 'JWT', ...(jwt.kid ? { kid: jwt.kid } : {}) })
    // An already-expired token was also issued in the past, so it is not rejected for "iat in future".
    .setIssuedAt(Math.min(now, now + lifetime - 60))
    .setExpirationTime(now + lifetime);
  if (jwt.issuer) builder.setIssuer(jwt.issuer);
  if (jwt.audience) builder.setAudience(jwt.audience);
  if (jwt.subject) builder.setSubject(jwt.subject);
  return builder.sign(key);
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

/** The targets that authorize, i.e. every target but overhead baselines: what checks and probes judge. */
export function gatewayTargets(plan: Plan): PlannedTarget[] {
  return plan.targets.filter((t) => !t.baseline);
}

/** Client statuses that count as `verdict` through `target` (101 stands for an upgrade). */
export function expectedStatuses(target: PlannedTarget, verdict: Verdict): readonly number[] {
  return target.statusMap.get(verdict) ?? [verdict === 200 ? 101 : verdict];
}

/** Path and query for one credential set through one target (credential query params appended). */
export function requestPath(target: PlannedTarget, cred: PlannedCredential): string {
  const base = cred.path ?? target.path;
  if (cred.query.length === 0) return base;
  const q = new URLSearchParams(cred.query).toString();
  return base + (base.includes('?') ? '&' : '?') + q;
}

/** Host header value for a target. */
export function hostHeader(target: PlannedTarget): string {
  const defaultPort = target.secure ? 443 : 80;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return target.port === defaultPort ? host : `${host}:${target.port}`;
}
