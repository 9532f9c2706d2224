import type { LatencySummary } from './histogram.ts';
import type { Saturation } from './load.ts';
import type { Outcome } from './outcome.ts';

/**
 * What time and change do to sessions through a gateway (README "Lifecycle"): idle limits, a reload
 * under held load, a restart and the reconnect storm after it, sessions that outlive their
 * credential, and a slowing auth service under load. One named result per check x target, each
 * with what a safe gateway does, what was seen and the numbers behind it.
 */

/** The checks, in the order they run. */
export const LIFECYCLE_CHECKS = [
  'idle',
  'reload',
  'restart',
  'credential-expiry',
  'credential-revocation',
  'auth-pressure',
] as const;
export type LifecycleCheckName = (typeof LIFECYCLE_CHECKS)[number];

/**
 * passed: what a safe gateway does · failed: what the scenario counts as wrong · finding: something
 * worth knowing that the scenario does not count as a failure (a session outliving its credential
 * with `outlives: finding`, a target listed in a check's `tolerate`) · not_run: could not be tried.
 */
export type LifecycleStatus = 'passed' | 'failed' | 'finding' | 'not_run';

/** How a connection that was meant to stay open ended, seen from the client. */
export type EndHow = 'close_frame' | 'no_close_frame' | 'reset';

/** The ends of a group of sessions: how many, when (ms from the group's reference moment), how, which close codes. */
export interface EndSummary {
  count: number;
  firstMs?: number;
  medianMs?: number;
  lastMs?: number;
  /** By close code; 1006 when no close frame came (a TCP close or reset). */
  codes: Record<string, number>;
  hows: Partial<Record<EndHow, number>>;
}

/**
 * A check over time: buckets of `bucketMs`, `t` their starts in seconds from the check's start, lines
 * (held, drops, reconnects, failed upgrades, auth requests per second, …) and marked moments.
 */
export interface Timeline {
  bucketMs: number;
  t: number[];
  series: Array<{ label: string; values: Array<number | null>; right?: boolean }>;
  marks: Array<{ t: number; label: string }>;
}

interface CheckBase {
  target: string;
  /** The bundled gateway fixture behind the target and its configuration variant, when wsgate started it. */
  gateway?: string;
  variant?: string;
  status: LifecycleStatus;
  /** What a safe gateway does, in one sentence. */
  expected: string;
  /** What was seen, in one sentence with the numbers. */
  observed: string;
  /** Why it failed, is a finding or was not run. */
  reasons: string[];
  durationMs: number;
  timeline?: Timeline;
}

/** Idle connections of one kind: silent, or sending a ping every `pingEveryMs`. */
export interface IdleGroup {
  kind: 'silent' | 'ping';
  pingEveryMs?: number;
  connections: number;
  opened: number;
  /** Still open when the watch ended. */
  survived: number;
  /** Ended by the other side, ms from their upgrade. */
  ends: EndSummary;
  /** Ended before `mustSurviveMs` (before the watch ended, without one). */
  droppedBefore: number;
  /** Pings answered with a pong. */
  pongs?: number;
}

export interface IdleCheck extends CheckBase {
  check: 'idle';
  maxMs: number;
  mustSurviveMs?: number;
  groups: IdleGroup[];
}

/** The gateway's processes around a reload (PIDs are not secrets; counts are what is judged). */
export interface ReloadProcesses {
  before: number;
  /** Processes that appeared with the reload (new workers); none for a reload in place. */
  started: number;
  /** Processes of before the reload (but the master) still alive when the observation ended, when new ones started. */
  oldAlive: number;
  /** Old processes still alive once every held session was closed (bounded wait). */
  oldLingering: number;
  /** The drain deadline the old processes had: a worker_shutdown_timeout, a stream_close_delay; absent: none. */
  drainDeadlineMs?: number;
  /** When the processes were looked at, ms after the reload began. */
  sampledAfterMs: number;
}

export interface ReloadCheck extends CheckBase {
  check: 'reload';
  /** How the reload was done (a fixture's built-in reload, a shell hook). */
  action: string;
  held: number;
  messages: number;
  echoes: number;
  /** Upgrade attempts in the check (held and arrivals), upgraded, and the rest by outcome. */
  attempts: number;
  upgrades: number;
  failedUpgrades: number;
  failedByOutcome: Partial<Record<Outcome, number>>;
  /** When the reload began, ms from the start of the load. */
  reloadAtMs: number;
  /** How long the reload action took until the new configuration served. */
  readyMs?: number;
  /** Held sessions the other side closed before the drain deadline, by close code and second after the reload. */
  dropped: number;
  dropCodes: Record<string, number>;
  dropsBySecond: Array<{ second: number; dropped: number }>;
  /** Held sessions ended at or after the drain deadline: the gateway's configured end for old sessions. */
  cutAtDeadline: number;
  processes?: ReloadProcesses;
  saturation?: Saturation;
}

/** How clients come back after losing their connection. */
export interface ReconnectPolicy {
  policy: 'immediate' | 'fixed' | 'exponential';
  delayMs: number;
  maxDelayMs: number;
  /** ± this share of each delay, drawn at random (seeded). */
  jitter: number;
  /** Attempts per lost session before the client gives up. */
  maxAttempts: number;
}

/** The auth service during a window: its own counters (the bundled auth service's `/__wsgate/stats`). */
export interface AuthDuringWindow {
  requests: number;
  peakPerSecond: number;
  /** The highest per-second p95 of its answers, ms. */
  p95Ms?: number;
  perSecond: Array<{ second: number; requests: number; p95Ms: number | null }>;
}

export interface RestartCheck extends CheckBase {
  check: 'restart';
  cause: 'restart' | 'backend-close';
  action: string;
  reconnect: ReconnectPolicy;
  held: number;
  /** Sessions lost by the restart, back again within the bound, and not. */
  dropped: number;
  back: number;
  notBack: number;
  /** Sessions whose client gave up (maxAttempts) before the bound. */
  gaveUp: number;
  /** From the restart's start until 99% and 100% of the lost sessions were back. */
  back99Ms?: number;
  back100Ms?: number;
  /** How long the restart action took. */
  restartMs?: number;
  reconnectAttempts: number;
  failedUpgrades: number;
  failedByOutcome: Partial<Record<Outcome, number>>;
  /** Time to 101 of the reconnects that got in. */
  handshake?: LatencySummary;
  /** Absent when the auth service's counters cannot be read (your own auth service). */
  auth?: AuthDuringWindow;
}

export interface CredentialCheck extends CheckBase {
  check: 'credential-expiry' | 'credential-revocation';
  credential: string;
  /** When the credential stopped being valid (expiry, or revocation), ms after the sessions were open. */
  invalidAtMs: number;
  sessions: number;
  opened: number;
  /** Sessions the gateway ended, ms after the credential stopped being valid. */
  ended: EndSummary;
  /** Sessions still open (and passing traffic) when the watch ended. */
  outlived: number;
  /** The longest that echoes kept coming on a session after the credential stopped being valid, ms. */
  trafficAfterMs?: number;
  /** How long the watch lasted past the moment, ms. */
  watchedMs: number;
  /** A new upgrade with the same credential after the moment: must be refused (401 after statusMap). */
  reconnect?: { outcome: Outcome; expected: Outcome[]; allowed: boolean };
  /** What the scenario makes of a session that outlives its credential. */
  outlives: 'fail' | 'finding';
}

export interface PressureStep {
  delayMs: number;
  allowed: { attempts: number; outcomes: Partial<Record<Outcome, number>>; fastestUpgradeMs?: number };
  denied?: { attempts: number; outcomes: Partial<Record<Outcome, number>> };
  /** Upgrades of the denied set: the gateway let in what the auth service refuses (fail-open). */
  failOpen: number;
  /**
   * Upgrades of the allowed set faster than the auth service answers: they did not wait for it. A cache of allow
   * decisions does that (a finding); so does a gateway failing open, which the denied set tells apart.
   */
  unwaited: number;
  saturation?: Saturation;
}

export interface PressureCheck extends CheckBase {
  check: 'auth-pressure';
  rate: number;
  stepMs: number;
  steps: PressureStep[];
  /** The lowest delay at which the allowed set was refused (fail closed), and with which outcomes. */
  failsClosedAtMs?: number;
  failsClosedWith: Partial<Record<Outcome, number>>;
  failOpen: number;
  unwaited: number;
}

export type LifecycleCheckResult = IdleCheck | ReloadCheck | RestartCheck | CredentialCheck | PressureCheck;

/** `summary.lifecycle`. Secrets (tokens, revoked ids) never appear: sets are named, and outputs are masked. */
export interface LifecycleResult {
  targets: Array<{ name: string; gateway?: string; variant?: string }>;
  /** By check (LIFECYCLE_CHECKS order), then target (scenario order). */
  checks: LifecycleCheckResult[];
  passed: number;
  failed: number;
  findings: number;
  notRun: number;
  /** True when the run stopped before every check ran. */
  partial?: boolean;
}

/** What the bundled auth service's `GET /__wsgate/stats` answers (the part wsgate reads). */
export interface AuthServiceStats {
  requests: number;
  byStatus: Record<string, number>;
  inFlight: number;
  /** Seconds since the epoch with requests or answers in them, oldest first. */
  perSecond: Array<{ t: number; requests: number; answered: number; p50Ms: number | null; p95Ms: number | null }>;
}
