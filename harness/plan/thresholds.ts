/**
 * Thresholds: expressions over the run's flat metrics, e.g. `unexpected_outcomes == 0`,
 * `handshake.p95 < 50ms`, `overhead.p95 < 10ms`. A metric is a name with a number; durations are
 * in milliseconds. Every module adds its metrics to one `Record<string, number>`.
 */

export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  source: string;
  metric: string;
  op: Op;
  /** In the metric's own unit: milliseconds for durations, a fraction for rates given in %. */
  value: number;
}

export interface ThresholdResult extends Threshold {
  /** The metric's measured value; undefined when the run produced no such metric. */
  actual: number | undefined;
  passed: boolean;
  /** Why the threshold was not judged: the command did not run the part that measures it. */
  skipped?: string;
}

/**
 * Metric names a threshold may name. A threshold on anything else is a scenario error, caught
 * before the run. `overhead.*` thresholds are judged on the upper bound of their confidence interval.
 */
export const KNOWN_METRICS: ReadonlyArray<RegExp> = [
  /^(unexpected_outcomes|checks_(passed|failed|not_run))$/,
  /^(handshake|connect|tls|status|upgrade|first_echo|message_rtt)\.(p50|p90|p95|p99|p999|max|mean|min)$/,
  /^(attempts|upgrades|errors|dropped|held_peak)$/,
  /^(upgrade_rate|error_rate|attempt_rate)$/,
  /^overhead\.(p50|p90|p95|p99)$/,
  /^security\.(failed|passed|not_run)$/,
];

const EXPR = /^\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(ms|s|%)?\s*$/;

/** Parse one threshold; throws an Error whose message says what was expected. */
export function parseThreshold(source: string): Threshold {
  const m = EXPR.exec(source);
  if (!m) throw new Error(`"${source}" is not a threshold (expected "<metric> <op> <number>[ms|s|%]", e.g. "handshake.p95 < 50ms")`);
  const metric = m[1]!;
  if (!KNOWN_METRICS.some((re) => re.test(metric))) {
    throw new Error(`unknown metric "${metric}" in threshold "${source}" (known: unexpected_outcomes, checks_failed, handshake.p95, upgrade_rate, overhead.p95, …; see README "Thresholds")`);
  }
  const unit = m[4];
  let value = Number(m[3]);
  if (unit === 's') value *= 1000;
  if (unit === '%') value /= 100;
  return { source, metric, op: m[2] as Op, value };
}

/**
 * Judge thresholds against measured metrics. A threshold on a metric the run did not produce fails,
 * unless `notApplicable` says why this command never measures it (then it is skipped, not failed).
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  metrics: Readonly<Record<string, number>>,
  notApplicable: (metric: string) => string | undefined = () => undefined,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metrics[t.metric];
    const skipped = actual === undefined ? notApplicable(t.metric) : undefined;
    if (skipped) return { ...t, actual, passed: true, skipped };
    return { ...t, actual, passed: actual !== undefined && compare(actual, t.op, t.value) };
  });
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}
