import { LATENCY_STATS, type LatencyStat } from './histogram.ts';

/**
 * Every metric a run can write into `summary.metrics`, declared once (k6's metrics/builtin.go is
 * the model): its kind, unit, which phase writes it and when, and whether more is better.
 * Threshold validation, the phases that write them, the reports and the trend view read this.
 */

/** The parts of a run, in the order they run. */
export const PHASE_NAMES = [
  'conformance',
  'session',
  'load',
  'overhead',
  'comparison',
  'capacity',
  'security',
  'lifecycle',
] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

/**
 * counter: a count over the run · gauge: a level reached · rate: per second or a share ·
 * latency: a distribution named with a statistic (`handshake.p95`).
 */
export type MetricKind = 'counter' | 'gauge' | 'rate' | 'latency';
/** What a threshold's number means: `ms` accepts `ms`/`s`, `ratio` accepts `%`, the rest a bare number. */
export type MetricUnit = 'count' | 'ms' | 'ratio' | 'per_second';
/** When a phase writes the metric only for some scenarios. */
export type MetricCondition =
  | 'wss-load-target'
  | 'held-connections'
  | 'held-messages'
  | 'bundled-fixtures'
  | LifecycleCondition;
/** A lifecycle check the scenario asks for (`lifecycle.idle`, …): its metrics are written only then. */
export type LifecycleCondition =
  | 'lifecycle-idle'
  | 'lifecycle-reload'
  | 'lifecycle-restart'
  | 'lifecycle-credentials'
  | 'lifecycle-auth-pressure';

export interface MetricDef {
  kind: MetricKind;
  unit: MetricUnit;
  /** The phase(s) that write it; a counter written by several is their sum. */
  phases: readonly PhaseName[];
  /** Which direction is a regression in a trend. */
  better: 'lower' | 'higher';
  /** Only written when the scenario has this (e.g. a wss:// load target for `tls.*`). */
  when?: MetricCondition;
  /** Latency metrics: the statistics that exist (default LATENCY_STATS). */
  stats?: readonly LatencyStat[];
  /**
   * What the metric describes: the system under test (default), or the run itself (the load
   * generator's health, the machine): shown in trends, never judged as the target regressing.
   */
  about?: 'target' | 'run';
  /**
   * Counters that also exist per key, named `<base>.<key>` (`dropped.1011`): a key that never occurred counts 0 when
   * the base was written.
   */
  keyedBy?: 'close-code';
  description: string;
}

const OVERHEAD_STATS = ['p50', 'p90', 'p95', 'p99'] as const satisfies readonly LatencyStat[];

export const METRICS = {
  unexpected_outcomes: {
    kind: 'counter',
    unit: 'count',
    phases: ['conformance', 'load'],
    better: 'lower',
    description: 'attempts whose outcome was not among the expected ones (conformance and load)',
  },
  checks_passed: {
    kind: 'counter',
    unit: 'count',
    phases: ['conformance'],
    better: 'higher',
    description: 'conformance checks passed',
  },
  checks_failed: {
    kind: 'counter',
    unit: 'count',
    phases: ['conformance'],
    better: 'lower',
    description: 'conformance checks failed',
  },
  checks_not_run: {
    kind: 'counter',
    unit: 'count',
    phases: ['conformance'],
    better: 'lower',
    description: 'conformance checks not run',
  },
  'session.passed': {
    kind: 'counter',
    unit: 'count',
    phases: ['session'],
    better: 'higher',
    description: 'session checks passed (every target x credential set)',
  },
  'session.failed': {
    kind: 'counter',
    unit: 'count',
    phases: ['session'],
    better: 'lower',
    description: 'session checks failed',
  },
  'session.not_applicable': {
    kind: 'counter',
    unit: 'count',
    phases: ['session'],
    better: 'lower',
    description: 'session checks that could not be judged here (no backend record, no HTTP/2, skipped, …)',
  },
  handshake: {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    description: 'time to the complete 101 from the scheduled start, every upgrade under load',
  },
  connect: { kind: 'latency', unit: 'ms', phases: ['load'], better: 'lower', description: 'TCP connect under load' },
  tls: {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    when: 'wss-load-target',
    description: 'TLS handshake under load (wss:// targets)',
  },
  status: {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    description: 'from sending the upgrade request to the first response byte, under load',
  },
  'session.first_rtt': {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    when: 'held-messages',
    description: 'round trip through the gateway of the first message on each held connection',
  },
  'session.rtt': {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    when: 'held-messages',
    description: 'round trip through the gateway of every later message on held connections',
  },
  'session.lost': {
    kind: 'counter',
    unit: 'count',
    phases: ['load'],
    better: 'lower',
    when: 'held-messages',
    description: 'messages on held connections whose echo never came back (counted as their connection ended)',
  },
  'session.changed': {
    kind: 'counter',
    unit: 'count',
    phases: ['load'],
    better: 'lower',
    when: 'held-messages',
    description: 'echoes on held connections that came back different from the message sent',
  },
  'generator.lag': {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    stats: ['p50', 'p99', 'max'],
    about: 'run',
    description:
      "event-loop delay of the load processes (the worst one's): a generator whose loop stalls cannot keep time",
  },
  'generator.late': {
    kind: 'latency',
    unit: 'ms',
    phases: ['load'],
    better: 'lower',
    about: 'run',
    description: 'how late attempts started against their schedule: the generator falling behind',
  },
  'generator.cpu': {
    kind: 'gauge',
    unit: 'ratio',
    phases: ['load'],
    better: 'lower',
    about: 'run',
    description: "the busiest load process's share of a core over the load",
  },
  'target.cpu': {
    kind: 'gauge',
    unit: 'ratio',
    phases: ['load'],
    better: 'lower',
    when: 'bundled-fixtures',
    description: "the busiest target process's share of a core over the load (bundled fixtures only)",
  },
  'host.cpu': {
    kind: 'gauge',
    unit: 'ratio',
    phases: ['load'],
    better: 'lower',
    about: 'run',
    description: "the machine's busy share over the load (all cores, from /proc/stat)",
  },
  attempts: {
    kind: 'counter',
    unit: 'count',
    phases: ['load'],
    better: 'higher',
    description: 'load attempts started',
  },
  upgrades: {
    kind: 'counter',
    unit: 'count',
    phases: ['load'],
    better: 'higher',
    description: 'load attempts upgraded',
  },
  errors: {
    kind: 'counter',
    unit: 'count',
    phases: ['load'],
    better: 'lower',
    description: 'load attempts that ended without an HTTP answer (refused, reset, timeouts, …)',
  },
  dropped: {
    kind: 'counter',
    unit: 'count',
    phases: ['load'],
    better: 'lower',
    when: 'held-connections',
    keyedBy: 'close-code',
    description:
      'held connections the other side closed before the end; dropped.<code> counts those closed with that code ' +
      '(1006: no close frame)',
  },
  held_peak: {
    kind: 'gauge',
    unit: 'count',
    phases: ['load'],
    better: 'higher',
    when: 'held-connections',
    description: 'held connections open at once at the peak',
  },
  upgrade_rate: {
    kind: 'rate',
    unit: 'per_second',
    phases: ['load'],
    better: 'higher',
    description: 'upgrades per second of load',
  },
  attempt_rate: {
    kind: 'rate',
    unit: 'per_second',
    phases: ['load'],
    better: 'higher',
    description: 'attempts per second of load',
  },
  error_rate: {
    kind: 'rate',
    unit: 'ratio',
    phases: ['load'],
    better: 'lower',
    description: 'share of load attempts that were errors',
  },
  overhead: {
    kind: 'latency',
    unit: 'ms',
    phases: ['overhead'],
    better: 'lower',
    stats: OVERHEAD_STATS,
    description: 'upper bound of the 95% interval of auth minus baseline handshake latency (the worst pair)',
  },
  'comparison.slower': {
    kind: 'counter',
    unit: 'count',
    phases: ['comparison'],
    better: 'lower',
    description: 'differences the comparison called slower than the reference (all targets and percentiles)',
  },
  'comparison.faster': {
    kind: 'counter',
    unit: 'count',
    phases: ['comparison'],
    better: 'higher',
    description: 'differences the comparison called faster than the reference',
  },
  'capacity.sustainable': {
    kind: 'gauge',
    unit: 'per_second',
    phases: ['capacity'],
    better: 'higher',
    description: 'the highest arrival rate `wsgate capacity` found every bound kept at, with a healthy generator',
  },
  'security.passed': {
    kind: 'counter',
    unit: 'count',
    phases: ['security'],
    better: 'higher',
    description: 'security probes passed',
  },
  'security.failed': {
    kind: 'counter',
    unit: 'count',
    phases: ['security'],
    better: 'lower',
    description: 'security probes failed',
  },
  'security.not_run': {
    kind: 'counter',
    unit: 'count',
    phases: ['security'],
    better: 'lower',
    description: 'security probes not run',
  },
  'idle.dropped_before': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-idle',
    description: 'idle connections (silent or pinging) the other side ended before lifecycle.idle.mustSurvive',
  },
  'idle.dropped': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-idle',
    description: 'idle connections the other side ended while they were watched',
  },
  'reload.dropped': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-reload',
    description: 'held sessions the other side ended after a reload, before any drain deadline',
  },
  'reload.cut_at_deadline': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-reload',
    description: "held sessions ended at the old processes' drain deadline (worker_shutdown_timeout, …)",
  },
  'reload.failed_upgrades': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-reload',
    description: 'upgrade attempts of the reload check (held and arrivals) that did not upgrade',
  },
  'reload.old_processes': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-reload',
    description: 'old gateway processes alive past their drain deadline, or still there after their sessions closed',
  },
  'reload.ready': {
    kind: 'gauge',
    unit: 'ms',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-reload',
    description: 'the slowest target: from the reload until the new configuration served',
  },
  'restart.back_99': {
    kind: 'gauge',
    unit: 'ms',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-restart',
    description: 'the slowest target: from the restart until 99% of the lost sessions were upgraded again',
  },
  'restart.back_100': {
    kind: 'gauge',
    unit: 'ms',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-restart',
    description: 'the slowest target: from the restart until every lost session was upgraded again',
  },
  'restart.not_back': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-restart',
    description: 'sessions lost by the restart and not upgraded again within lifecycle.restart.within',
  },
  'restart.failed_upgrades': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-restart',
    description: 'reconnect attempts during the storm that did not upgrade',
  },
  'restart.auth_peak': {
    kind: 'gauge',
    unit: 'per_second',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-restart',
    description: "the auth service's busiest second during a storm (its own counters; bundled auth service)",
  },
  'credentials.outlived': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-credentials',
    description: 'sessions still open and passing traffic when the watch past their expiry or revocation ended',
  },
  'credentials.reconnect_allowed': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-credentials',
    description: 'upgrades with an expired or revoked credential that got in',
  },
  'auth_pressure.fail_open': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    when: 'lifecycle-auth-pressure',
    description: 'upgrades under a slowed auth service that cannot have waited for its answer (fail-open)',
  },
  'lifecycle.failed': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    description: 'lifecycle checks failed (check x target)',
  },
  'lifecycle.findings': {
    kind: 'counter',
    unit: 'count',
    phases: ['lifecycle'],
    better: 'lower',
    description: 'lifecycle checks whose result the scenario counts as a finding, not a failure',
  },
} as const satisfies Record<string, MetricDef>;

type Defs = typeof METRICS;
export type MetricBase = keyof Defs;
type LatencyBase = { [K in MetricBase]: Defs[K]['kind'] extends 'latency' ? K : never }[MetricBase];
type StatsOf<K extends LatencyBase> = Defs[K] extends { stats: ReadonlyArray<infer S extends string> }
  ? S
  : LatencyStat;

type KeyedBase = { [K in MetricBase]: Defs[K] extends { keyedBy: string } ? K : never }[MetricBase];

/** Every name a metric may have in `summary.metrics` and in a threshold. */
export type MetricName =
  | Exclude<MetricBase, LatencyBase>
  | { [K in LatencyBase]: `${K}.${StatsOf<K>}` }[LatencyBase]
  | `${KeyedBase}.${number}`;
/** What a phase writes: typed names, so a misspelt metric does not compile. */
export type MetricValues = Partial<Record<MetricName, number>>;

/** A metric name taken apart: its declaration and, for latencies, the statistic. */
export interface MetricRef {
  name: MetricName;
  base: MetricBase;
  def: MetricDef;
  stat?: LatencyStat;
  /** For a keyed counter's key (`dropped.1011`): the key. */
  key?: string;
}

/** The declaration behind `name`, or undefined when no metric has that name. */
export function lookupMetric(name: string): MetricRef | undefined {
  if (Object.hasOwn(METRICS, name)) {
    const def: MetricDef = METRICS[name as MetricBase];
    return def.kind === 'latency' ? undefined : { name: name as MetricName, base: name as MetricBase, def };
  }
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  const base = name.slice(0, dot);
  const stat = name.slice(dot + 1);
  if (!Object.hasOwn(METRICS, base)) return undefined;
  const def: MetricDef = METRICS[base as MetricBase];
  if (def.keyedBy === 'close-code' && /^[1-4][0-9]{3}$/.test(stat))
    return { name: name as MetricName, base: base as MetricBase, def, key: stat };
  if (def.kind !== 'latency' || !(def.stats ?? LATENCY_STATS).includes(stat as LatencyStat)) return undefined;
  return { name: name as MetricName, base: base as MetricBase, def, stat: stat as LatencyStat };
}

/** Every metric name, latencies expanded with their statistics (for help texts and errors); keyed ones by base. */
export function allMetricNames(): MetricName[] {
  const out: string[] = [];
  for (const [base, def] of Object.entries(METRICS) as Array<[string, MetricDef]>) {
    if (def.kind === 'latency') for (const s of def.stats ?? LATENCY_STATS) out.push(`${base}.${s}`);
    else out.push(base);
  }
  return out as MetricName[];
}

/** A latency summary's statistics as metric values named `<base>.<stat>`. */
export function latencyMetrics(
  base: Exclude<LatencyBase, 'overhead' | 'generator.lag'>,
  summary: Readonly<Record<LatencyStat, number>> | undefined,
): MetricValues {
  const out: Record<string, number> = {};
  if (summary) for (const s of LATENCY_STATS) out[`${base}.${s}`] = summary[s];
  return out as MetricValues;
}
