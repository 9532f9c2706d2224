import { lookupMetric, type MetricCondition, type MetricRef, type PhaseName } from '../model/metrics.ts';
import type { Op, Threshold } from '../model/thresholds.ts';

/**
 * Thresholds as a scenario writes them, `<metric> <op> <number>[ms|s|%]`, checked against the
 * metric registry (model/metrics.ts): the metric must exist, the unit must fit it, and some phase
 * that `wsgate run` runs for this scenario must write it.
 */

const EXPR = /^\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(ms|s|%)?\s*$/;

/** A threshold, or why the text is not one (a sentence for a ScenarioProblem). */
export type ParsedThreshold = { ok: true; threshold: Threshold; ref: MetricRef } | { ok: false; message: string };

/** Parse one threshold against the metric registry. */
export function parseThreshold(source: string): ParsedThreshold {
  const m = EXPR.exec(source);
  if (!m) {
    return {
      ok: false,
      message:
        `"${source}" is not a threshold (expected "<metric> <op> <number>[ms|s|%]", e.g. ` + `"handshake.p95 < 50ms")`,
    };
  }
  const name = m[1]!;
  const ref = lookupMetric(name);
  if (!ref) {
    const hint = name.startsWith('upgrade.') ? ' (the time to 101 under load is handshake.*)' : '';
    return {
      ok: false,
      message:
        `unknown metric "${name}" in threshold "${source}"${hint} (known: unexpected_outcomes, ` +
        `checks_failed, handshake.p95, upgrade_rate, overhead.p95, …; see README "Thresholds")`,
    };
  }
  const unit = m[4];
  let value = Number(m[3]);
  if (unit === 'ms' || unit === 's') {
    if (ref.def.unit !== 'ms')
      return {
        ok: false,
        message: `${name} is not a duration: write "${source.replace(/\s*(ms|s)\s*$/, '')}" without ${unit}`,
      };
    if (unit === 's') value *= 1000;
  } else if (unit === '%') {
    if (ref.def.unit !== 'ratio') return { ok: false, message: `${name} is not a share: a % only fits error_rate` };
    value /= 100;
  }
  return { ok: true, threshold: { source, metric: ref.name, op: m[2] as Op, value }, ref };
}

/** What of the scenario decides whether a phase writes a conditional metric. */
export interface MetricWriters {
  /** Phases `wsgate run` runs for this scenario. */
  phases: readonly PhaseName[];
  /** Conditions the scenario meets (a wss:// load target, held connections, held messages). */
  conditions: ReadonlySet<MetricCondition>;
}

const CONDITION_TEXT: Record<MetricCondition, string> = {
  'wss-load-target': 'a wss:// target under load',
  'held-connections': 'load.connections',
  'held-messages': 'load.connections with messageEvery above 0s',
  'bundled-fixtures': 'the bundled fixtures (fixtures: true), whose processes wsgate can watch',
  'lifecycle-idle': 'lifecycle.idle',
  'lifecycle-reload': 'lifecycle.reload',
  'lifecycle-restart': 'lifecycle.restart',
  'lifecycle-credentials': 'lifecycle.credentials',
  'lifecycle-auth-pressure': 'lifecycle.authPressure',
};

/** Why no phase would write this metric for this scenario, or undefined when one does. */
export function unwrittenBecause(ref: MetricRef, writers: MetricWriters): string | undefined {
  const by = ref.def.phases.filter((p) => writers.phases.includes(p));
  if (by.length === 0) {
    return (
      `${ref.name} is measured by ${ref.def.phases.join(' or ')}, which this scenario does not ` +
      `run (add a ${ref.def.phases[0]}: block)`
    );
  }
  if (ref.def.when && !writers.conditions.has(ref.def.when))
    return `${ref.name} is only measured with ${CONDITION_TEXT[ref.def.when]}`;
  return undefined;
}
