import { SESSION_CHECK_IDS, type SessionCheckId, sessionFamilyOf } from '../model/session.ts';
import { MAX_LADDER_BYTES } from '../scenario/blocks/session.ts';
import { durationOr } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';
import { formatSize, parseSize } from '../scenario/size.ts';
import type { CredentialInfo } from './credentials.ts';
import type { Problems } from './problems.ts';
import { checkFixtureRefs, resolveOrReport, type TargetInfo } from './targets.ts';

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const DEFAULT_SUBPROTOCOLS = ['wsgate.v1', 'wsgate.v2'];

/** Where a target's WebSockets over HTTP/2 are, as far as the scenario says. */
export type Http2Plan =
  | { kind: 'off'; why: string }
  /** A wss:// target asked for h2 by ALPN on its own URL. */
  | { kind: 'alpn' }
  | { kind: 'url'; url: string };

/** The session checks of one target, every default fixed. */
export interface TargetSessionPlan {
  target: string;
  /** Checks to run, in SESSION_CHECK_IDS order. */
  run: SessionCheckId[];
  /** Checks the scenario left out: reported not applicable, "skipped by the scenario". */
  skipped: SessionCheckId[];
  /** Credential sets that get every check (the others only http2.verdict). */
  sets: string[];
  maxMessageBytes: number;
  fragments: number;
  timeoutMs: number;
  /** What negotiation.subprotocol offers; undefined: the set's own, else DEFAULT_SUBPROTOCOLS. */
  subprotocols?: string[];
  origin?: string;
  forwarded: 'require' | 'report' | 'forbid';
  hopByHopToAuth: 'fail' | 'report';
  http2: Http2Plan;
}

/** The session phase's plan: one entry per target that gets session checks. */
export interface SessionSetup {
  targets: TargetSessionPlan[];
  /** The auth service's request record (`authService.requests`), resolved. */
  authRequestsUrl?: string;
}

type Settings = Exclude<NonNullable<ScenarioDoc['session']>, boolean>;

/**
 * The `session:` block and each target's `session:` over it, validated and resolved: which checks
 * run where, for which credential sets, with which limits. Undefined when the scenario turns the
 * session checks off (`session: false`). Without `fixtureUrls` (validation) fixture references are
 * only checked; with them they are resolved.
 */
export function planSession(
  scenario: Scenario,
  targets: readonly TargetInfo[],
  credentials: readonly CredentialInfo[],
  problems: Problems,
  fixtureUrls?: Record<string, string>,
): SessionSetup | undefined {
  const doc = scenario.doc;
  const requests = doc.authService?.requests;
  let authRequestsUrl: string | undefined;
  if (requests !== undefined) {
    checkFixtureRefs(scenario, requests, ['authService', 'requests'], problems);
    if (fixtureUrls) authRequestsUrl = resolveOrReport(requests, fixtureUrls, ['authService', 'requests'], problems);
  }
  if (doc.session === false) return undefined;
  const block: Settings = typeof doc.session === 'object' ? doc.session : {};
  const allowed = credentials.filter((c) => c.expect === 200 && c.authState === 'ok').map((c) => c.name);
  const out: TargetSessionPlan[] = [];
  for (const [i, t] of doc.targets.entries()) {
    const info = targets.find((x) => x.name === t.name);
    if (!info || info.baseline || t.session === false) continue;
    const own: Settings = typeof t.session === 'object' ? t.session : {};
    const s: Settings = { ...block, ...own };
    const at = (key: keyof Settings): Array<string | number> =>
      key in own ? ['targets', i, 'session', key] : ['session', key];

    for (const [j, name] of (s.sets ?? []).entries()) {
      const cred = credentials.find((c) => c.name === name);
      if (!cred)
        problems.add(
          [...at('sets'), j],
          `no credential set is named "${name}" (known: ${credentials.map((c) => c.name).join(', ')})`,
        );
      else if (cred.expect !== 200 || cred.authState !== 'ok')
        problems.add(
          [...at('sets'), j],
          `"${name}" expects ${cred.expect}${cred.authState !== 'ok' ? `, auth service ${cred.authState}` : ''}; ` +
            'session checks need a set that expects 200 with the auth service ok',
        );
    }
    const maxMessageBytes = s.maxMessageBytes === undefined ? DEFAULT_MAX_MESSAGE_BYTES : parseSize(s.maxMessageBytes);
    if (maxMessageBytes > MAX_LADDER_BYTES || maxMessageBytes < 1)
      problems.add(
        at('maxMessageBytes'),
        `${formatSize(maxMessageBytes)} is past what the size ladder tries (1 B to ${formatSize(MAX_LADDER_BYTES)}, ` +
          "the bundled echo backend's limit)",
      );
    const matches = (id: SessionCheckId, list: readonly string[]) =>
      list.includes(id) || list.includes(sessionFamilyOf(id));
    const chosen = SESSION_CHECK_IDS.filter((id) => !s.checks || matches(id, s.checks));
    const skipped = chosen.filter((id) => matches(id, s.skip ?? []));
    out.push({
      target: t.name,
      run: chosen.filter((id) => !skipped.includes(id)),
      skipped,
      sets: s.sets ?? allowed,
      maxMessageBytes,
      fragments: s.fragments ?? 3,
      timeoutMs: durationOr(s.timeout, 2000),
      ...(s.subprotocols ? { subprotocols: s.subprotocols } : {}),
      ...(s.origin !== undefined ? { origin: s.origin } : {}),
      forwarded: s.forwarded ?? 'report',
      hopByHopToAuth: s.hopByHopToAuth ?? 'fail',
      http2: http2Of(scenario, s.http2, at('http2'), info, problems, fixtureUrls),
    });
  }
  return { targets: out, ...(authRequestsUrl !== undefined ? { authRequestsUrl } : {}) };
}

/** The subprotocols negotiation.subprotocol offers for a set with `own` subprotocols. */
export function offeredSubprotocols(plan: TargetSessionPlan, own: readonly string[]): string[] {
  return plan.subprotocols ?? (own.length > 0 ? [...own] : DEFAULT_SUBPROTOCOLS);
}

function http2Of(
  scenario: Scenario,
  value: string | false | undefined,
  path: Array<string | number>,
  target: TargetInfo,
  problems: Problems,
  fixtureUrls: Record<string, string> | undefined,
): Http2Plan {
  if (value === false) return { kind: 'off', why: 'turned off by the scenario (session.http2: false)' };
  if (value === undefined)
    return target.secure
      ? { kind: 'alpn' }
      : {
          kind: 'off',
          why: 'a ws:// target offers no HTTP/2 by ALPN; give session.http2 an h2c URL where it serves one',
        };
  checkFixtureRefs(scenario, value, path, problems);
  const refs = value.includes('${fixture:');
  if (refs && !fixtureUrls) return { kind: 'url', url: value };
  const url = refs ? resolveOrReport(value, fixtureUrls ?? {}, path, problems) : value;
  if (url === undefined) return { kind: 'off', why: 'unresolved' };
  let scheme = '';
  try {
    scheme = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (scheme !== 'ws:' && scheme !== 'wss:')
    problems.add(path, `"${url}" is not a ws:// (h2c) or wss:// (h2 by ALPN) URL`);
  return { kind: 'url', url };
}
