import type { ConnectionOptions } from 'node:tls';
import { VERDICTS } from '../model/auth.ts';
import { durationOr } from '../scenario/duration.ts';
import { resolveFixtureRefs } from '../scenario/interpolate.ts';
import type { Scenario } from '../scenario/read.ts';
import type { TargetDoc } from '../scenario/schema.ts';
import { fixtureNames, fixtureRefs } from './fixture-names.ts';
import type { Problems } from './problems.ts';

/** Header or query parameter names a gateway must strip before the backend unless the target says otherwise. */
export const DEFAULT_MUST_NOT_SEE = ['x-ibm-client-secret', 'authorization', 'apikey'];

/** What is known of a target before its fixtures run: enough to validate every block against it. */
export interface TargetInfo {
  name: string;
  /** A route without auth, only for overhead baselines; checks and probes skip it. */
  baseline: boolean;
  secure: boolean;
  /** Auth verdict -> client statuses that count as that verdict through this gateway. */
  statusMap: ReadonlyMap<number, readonly number[]>;
  /** Where its connections go, for the spread over workers and sources: host:port, or the fixture it names. */
  destination: { key: string; loopback4: boolean };
}

/** A target ready to connect to: URL parsed, TLS and timeouts resolved. */
export interface PlannedTarget extends TargetInfo {
  /** The URL with fixture references resolved (not secret: credentials never live in it). */
  url: string;
  host: string;
  port: number;
  /** Path and query of the URL. */
  path: string;
  tls: ConnectionOptions;
  headers: Array<[string, string]>;
  backend?: { recordUrl: string; mustNotSee: string[]; secretsMayPass: boolean };
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
}

/** Check `${fixture:}` references in a field: fixtures must run and provide that name. */
export function checkFixtureRefs(
  scenario: Scenario,
  text: string,
  path: Array<string | number>,
  problems: Problems,
): void {
  const refs = fixtureRefs(text);
  if (refs.length === 0) return;
  if (!scenario.doc.fixtures) {
    problems.add(path, 'uses ${fixture:…} but the scenario does not start fixtures (add "fixtures: true")');
    return;
  }
  const known = fixtureNames(scenario.doc.fixtures);
  for (const name of refs) {
    if (!known.has(name))
      problems.add(path, `no fixture of this scenario provides "${name}" (known: ${[...known].sort().join(', ')})`);
  }
}

/** Every target's TargetInfo, adding a problem for each URL, statusMap or fixture reference that is wrong. */
export function targetInfos(scenario: Scenario, problems: Problems): TargetInfo[] {
  return scenario.doc.targets.map((t, i) => {
    for (const key of Object.keys(t.statusMap ?? {})) {
      if (!(VERDICTS as readonly number[]).includes(Number(key))) {
        problems.add(
          ['targets', i, 'statusMap', key],
          `"${key}" is not an auth verdict (expected one of ${VERDICTS.join(', ')})`,
          true,
        );
      }
    }
    checkFixtureRefs(scenario, t.url, ['targets', i, 'url'], problems);
    if (t.backend) checkFixtureRefs(scenario, t.backend.record, ['targets', i, 'backend', 'record'], problems);
    const info = { name: t.name, baseline: t.baseline ?? false, statusMap: statusMapOf(t) };
    if (fixtureRefs(t.url).length > 0) {
      // The bundled fixtures serve ws:// on loopback.
      return {
        ...info,
        secure: t.url.startsWith('wss:'),
        destination: { key: t.url.replace(/\/.*$/, ''), loopback4: true },
      };
    }
    const url = parseWsUrl(t.url, ['targets', i, 'url'], problems);
    const host = url ? hostOf(url) : t.url;
    const secure = url?.protocol === 'wss:';
    return {
      ...info,
      secure,
      destination: { key: url ? `${host}:${portOf(url)}` : t.url, loopback4: isLoopback4(host) },
    };
  });
}

/** Resolve one target's URL (fixtures running) and every default. */
export function planTarget(
  scenario: Scenario,
  index: number,
  info: TargetInfo,
  fixtureUrls: Record<string, string>,
  problems: Problems,
): PlannedTarget | undefined {
  const t = scenario.doc.targets[index]!;
  const urlText = resolveOrReport(t.url, fixtureUrls, ['targets', index, 'url'], problems);
  const url = urlText === undefined ? undefined : parseWsUrl(urlText, ['targets', index, 'url'], problems);
  if (!url) return undefined;
  const secure = url.protocol === 'wss:';
  const tls: ConnectionOptions = {};
  if (t.tls?.ca) tls.ca = t.tls.ca;
  if (t.tls?.cert) tls.cert = t.tls.cert;
  if (t.tls?.key) tls.key = t.tls.key;
  tls.servername = t.tls?.servername ?? (isIp(url.hostname) ? undefined : url.hostname);
  if (t.tls?.insecure) tls.rejectUnauthorized = false;
  const host = hostOf(url);
  const port = portOf(url);
  const recordUrl = t.backend
    ? resolveOrReport(t.backend.record, fixtureUrls, ['targets', index, 'backend', 'record'], problems)
    : undefined;
  return {
    ...info,
    secure,
    destination: { key: `${host}:${port}`, loopback4: isLoopback4(host) },
    url: url.toString(),
    host,
    port,
    path: (url.pathname || '/') + url.search,
    tls,
    headers: Object.entries(t.headers ?? {}),
    backend:
      t.backend && recordUrl !== undefined
        ? {
            recordUrl,
            mustNotSee: (t.backend.mustNotSee ?? DEFAULT_MUST_NOT_SEE).map((h) => h.toLowerCase()),
            secretsMayPass: t.backend.secretsMayPass ?? false,
          }
        : undefined,
    connectTimeoutMs: durationOr(t.timeouts?.connect, 5000),
    handshakeTimeoutMs: durationOr(t.timeouts?.handshake, 10_000),
  };
}

/** `text` with its fixture references resolved, or undefined after adding the problem. */
export function resolveOrReport(
  text: string,
  fixtureUrls: Record<string, string>,
  path: Array<string | number>,
  problems: Problems,
): string | undefined {
  try {
    return resolveFixtureRefs(text, fixtureUrls);
  } catch (err) {
    problems.add(path, (err as Error).message);
    return undefined;
  }
}

function statusMapOf(t: TargetDoc): Map<number, number[]> {
  const statusMap = new Map<number, number[]>();
  for (const [verdict, statuses] of Object.entries(t.statusMap ?? {}))
    statusMap.set(Number(verdict), Array.isArray(statuses) ? statuses : [statuses]);
  return statusMap;
}

function parseWsUrl(text: string, path: Array<string | number>, problems: Problems): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.add(path, `"${text}" is not a valid URL`);
    return undefined;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    problems.add(path, `expected a ws:// or wss:// URL, got ${url.protocol}//`);
    return undefined;
  }
  return url;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'wss:' ? 443 : 80;
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

function isLoopback4(host: string): boolean {
  return /^127\./.test(host) || host === 'localhost';
}

/** Path and query for one credential set through one target (credential query params appended). */
export function requestPath(
  target: Pick<PlannedTarget, 'path'>,
  cred: { path?: string; query: ReadonlyArray<[string, string]> },
): string {
  const base = cred.path ?? target.path;
  if (cred.query.length === 0) return base;
  const q = new URLSearchParams(cred.query as Array<[string, string]>).toString();
  return base + (base.includes('?') ? '&' : '?') + q;
}

/** Host header value for a target. */
export function hostHeader(target: Pick<PlannedTarget, 'host' | 'port' | 'secure'>): string {
  const defaultPort = target.secure ? 443 : 80;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return target.port === defaultPort ? host : `${host}:${target.port}`;
}
