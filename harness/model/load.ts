import type { LatencySummary } from './histogram.ts';
import type { Outcome } from './outcome.ts';
import type { WireTrace } from './trace.ts';

/** One target x credential set under load. */
export interface LoadSetResult {
  target: string;
  credential: string;
  expected: Outcome[];
  attempts: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Attempts whose outcome was not among `expected`. */
  unexpected: number;
  /** Time to the complete response head, from the attempt's scheduled start (upgraded and denied alike). */
  response?: LatencySummary;
  /** How long each step of this set's attempts took through this target (see LoadTimings). */
  timings?: LoadTimings;
}

/**
 * Timing histograms of the steps of an attempt, each a duration: TCP connect; TLS handshake (wss); time to the first
 * response byte after the request was sent; time to the complete 101 from the scheduled start; the round trip of a
 * held connection's first message after the upgrade (`session.first_rtt`); every later message's (`session.rtt`).
 */
export interface LoadTimings {
  connect?: LatencySummary;
  tls?: LatencySummary;
  status?: LatencySummary;
  upgrade?: LatencySummary;
  firstRtt?: LatencySummary;
  rtt?: LatencySummary;
}

export const TIMING_NAMES = ['connect', 'tls', 'status', 'upgrade', 'firstRtt', 'rtt'] as const satisfies ReadonlyArray<
  keyof LoadTimings
>;

/** What the closed model held. */
export interface HeldResult {
  /** Connections asked for (this run's share of them), upgraded and handed to holding, most open at one time. */
  target: number;
  opened: number;
  peak: number;
  /** Held connections the other side closed before the end, by close code ("1006" = no close frame). */
  dropped: number;
  dropCodes: Record<string, number>;
  /** Messages sent, echoes that came back in time, echoes later than messageTimeout or never. */
  messages: number;
  echoes: number;
  echoFailed: number;
  /** Of those, echoes that did come, after messageTimeout. */
  late?: number;
  /**
   * Messages whose echo never came (`session.lost`): counted when their connection ended (dropped, or closed by us)
   * with the echo still owed.
   */
  lost?: number;
  /** Echoes that came back different from the message sent (`session.changed`): another opcode, length or bytes. */
  changed?: number;
  /** Closed by us at the end with a close handshake answered in time. */
  closedClean: number;
  /** Lost while the run itself was stopping (Ctrl-C): not drops, not the target's doing. */
  cutByShutdown?: number;
  /** Round trip of each held connection's first message (`session.first_rtt`). */
  firstRtt?: LatencySummary;
  /** Round trip of every later message through the gateway (`session.rtt`). */
  rtt?: LatencySummary;
}

/**
 * How the load generator itself fared, over its processes: if it fell behind, the numbers describe
 * the generator, not the target. Durations in ms.
 */
export interface GeneratorHealth {
  /** How late attempts and held connections started against their schedule (a generator falling behind). */
  late?: LatencySummary;
  /** Starts later than `lateBoundMs`. */
  lateBeyondBound: number;
  lateBoundMs: number;
  /** Event-loop delay of the load processes: the worst process's p50, p99 and max. */
  loopDelay: { p50: number; p99: number; max: number };
  /** CPU time of all load processes, and the busiest one's share of a core over the run. */
  cpu: { userMs: number; systemMs: number; busiestShare: number };
  processes: number;
  /**
   * The nice value the load processes ran at (the least favoured one's): worker processes ask for -10, so a
   * target on the same machine cannot delay their schedule; higher when not permitted (no root or CAP_SYS_NICE)
   * or with `workers: 1` (the load runs in wsgate's own process, which is not raised).
   */
  nice?: number;
}

/** Which side ran out during the load: the verdict that keeps a saturated generator from blaming the target. */
export interface Saturation {
  /**
   * none: both kept up · generator: wsgate fell behind (the run is invalid) · target: the system under test did ·
   * both
   */
  side: 'none' | 'generator' | 'target' | 'both';
  /** One sentence per finding, with the numbers. */
  reasons: string[];
  /** The whole machine's busy share over the load, when readable (/proc/stat). */
  hostCpu?: number;
  /** The busiest process of the target's share of a core, when wsgate knows its processes (bundled fixtures). */
  targetCpu?: number;
}

/** One second of the run. */
export interface LoadSecond {
  t: number;
  attempts: number;
  upgrades: number;
  /** Attempts that ended without an HTTP answer (refused, reset, timeouts, …). */
  errors: number;
  /** Connections open at the end of the second: attempts in their handshake plus held ones. */
  open: number;
  /** Held connections dropped by the other side during the second. */
  dropped?: number;
  /** Held connections' echoes in the second, messages found lost in it, and the round-trip p95 of its echoes
   * (ms; over several load processes, the worst process's). */
  echoes?: number;
  lost?: number;
  rttP95?: number;
  /** The generator in that second (the worst load process): p99 start lateness, p99 loop delay, share of a core. */
  lateP99?: number;
  loopP99?: number;
  cpu?: number;
  /** The busiest target process's share of a core, and the machine's busy share, when measured. */
  targetCpu?: number;
  hostCpu?: number;
}

/** `summary.load`: what the load phase measured, merged over its worker processes. */
export interface LoadResult {
  /** Which models ran: arrival-rate stages, held connections, or both at once. */
  model: 'arrival-rate' | 'connections' | 'arrival-rate+connections';
  stages: Array<{ fromRate: number; toRate: number; durationMs: number }>;
  scheduled: number;
  attempts: number;
  /** Scheduled attempts not started because maxInFlight attempts were open. */
  skippedMaxInFlight: number;
  upgrades: number;
  unexpected: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Time to the complete 101 head from the scheduled start: what `handshake.*` thresholds read. */
  handshake?: LatencySummary;
  /** The same from the moment the request was actually sent (hides queueing; kept for comparison). */
  handshakeSinceSend?: LatencySummary;
  connect?: LatencySummary;
  held?: HeldResult;
  sets: LoadSetResult[];
  series: LoadSecond[];
  /**
   * Second 0 of the schedule by this host's clock (ISO): where series seconds count from; the agreed
   * `--start-at` when one was given.
   */
  startedAt?: string;
  /** How late after `startedAt` the schedule actually began (ms; the latest load process): the start's lateness. */
  startLateMs?: number;
  durationMs: number;
  partial: boolean;
  stoppedBecause?: string;
  workers: number;
  /** Attempts that failed without an answer after the run began stopping (Ctrl-C): not counted against the target. */
  cutByShutdown?: number;
  /** How the generator fared; absent in summaries written before wsgate measured it. */
  generator?: GeneratorHealth;
  /** Which side ran out, judged from the generator, the target's processes and the machine. */
  saturation?: Saturation;
  /** Resident memory of the load processes (summed over workers), at the start and at its highest. */
  memory?: { rssStartBytes: number; rssMaxBytes: number };
  /** Source addresses the workers connected from (empty: the OS chose). */
  sourceAddresses: string[];
  /** `--trace N`: the wire of the first N attempts of each target x credential set. */
  traces?: WireTrace[];
}
