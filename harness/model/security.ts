import type { Outcome } from './outcome.ts';

/**
 * The names of the security probes, in the order they run on each target. Decision caching runs
 * last: a gateway that caches allow decisions would otherwise poison every probe after it.
 */
export const PROBE_IDS = [
  'bypass.path',
  'bypass.header-case',
  'bypass.duplicate-headers',
  'bypass.credential-placement',
  'bypass.http10',
  'bypass.websocket-key',
  'bypass.websocket-version',
  'bypass.connection-header',
  'bypass.oversized-headers',
  'bypass.crlf',
  'leaks.denied-to-backend',
  'leaks.error-body',
  'fail-closed.auth-error',
  'fail-closed.auth-hang',
  'fail-closed.auth-down',
  'fail-closed.auth-garbage',
  'leaks.secrets-forwarded',
  'caching.deny-after-allow',
] as const;

export type ProbeId = (typeof PROBE_IDS)[number];

export const PROBE_FAMILIES = ['fail-closed', 'bypass', 'caching', 'leaks'] as const;

export type ProbeFamily = (typeof PROBE_FAMILIES)[number];

/** The family a probe belongs to: the part of its id before the dot. */
export function familyOf(id: ProbeId): ProbeFamily {
  return id.slice(0, id.indexOf('.')) as ProbeFamily;
}

/**
 * `summary.security`: what the security probes sent to each target, what a safe gateway does, and
 * what was seen. Read by summary.json, JUnit (one testcase per probe x target), Markdown and HTML.
 * Secrets are masked when the summary is written, like everywhere else.
 */
export interface SecurityResult {
  /** The credential sets used as references, by name; absent when the scenario has none. */
  references: { allowed?: string; denied?: string };
  /** One entry per probe x target: targets in scenario order, probes in PROBE_IDS order within a target. */
  probes: ProbeResult[];
  passed: number;
  failed: number;
  notRun: number;
  /**
   * Targets where every attempt found nobody listening (refused, connect timeout, DNS): the run could not be carried
   * out.
   */
  unreachableTargets: string[];
}

/**
 * passed: safe behaviour seen · failed: the gateway let something through · not_run: could not be tried (reasons say
 * why).
 */
export type ProbeStatus = 'passed' | 'failed' | 'not_run';

/** One probe against one target. */
export interface ProbeResult {
  /** e.g. `bypass.path`, `fail-closed.auth-hang`. */
  probe: ProbeId;
  family: ProbeFamily;
  target: string;
  /** One line: what this probe proves, e.g. "Path variants of the target path do not skip auth". */
  title: string;
  /** One line: what it sends. */
  sends: string;
  /** One line: what a safe gateway does. */
  safe: string;
  /** One line: what was seen, e.g. "14 attempts: 12 × http_401, 2 × http_400; none reached the backend". */
  seen: string;
  status: ProbeStatus;
  /** Why it failed or did not run, one sentence each; empty when passed. */
  reasons: string[];
  /** Every attempt, in the order sent (empty when not run). */
  attempts: SecurityAttempt[];
  durationMs: number;
}

/** One request a probe sent, and what came back. */
export interface SecurityAttempt {
  /** What this attempt varies, e.g. `path "//echo"`, `auth service answers 500`. */
  label: string;
  /** Credential set sent, or "(none)". */
  credential: string;
  /** True when a safe gateway must refuse this attempt (everything but the allowed reference in normal operation). */
  mustBeDenied: boolean;
  /** The request head as sent: CR/LF inside values shown as \r \n, very long values shortened. */
  request: string;
  outcome: Outcome;
  statusLine?: string;
  /** Why the outcome is what it is when the outcome alone does not say. */
  problem?: string;
  /** Selected response headers (www-authenticate, server, …). */
  headers: Record<string, string>;
  bodySnippet?: string;
  /** Whether this attempt reached the backend; null when the target has no backend record. */
  reachedBackend: boolean | null;
  /** What was unsafe about this attempt; absent when it behaved safely. */
  unsafe?: string;
  /** From connect to the response head (or to the end of the attempt). */
  ms: number;
}
