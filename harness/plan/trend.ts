import { lookupMetric, METRICS } from '../model/metrics.ts';
import type { Scenario } from '../scenario/read.ts';
import type { Problems } from './problems.ts';

/** The `trend:` block as fractions by metric or base; a key that names no metric is a problem at it. */
export function planTrend(scenario: Scenario, problems: Problems): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, text] of Object.entries(scenario.doc.trend ?? {})) {
    if (!lookupMetric(key) && !Object.hasOwn(METRICS, key)) {
      problems.add(['trend', key], `"${key}" is not a metric or metric base (e.g. handshake.p95, handshake)`, true);
      continue;
    }
    out[key] = Number(text.slice(0, -1)) / 100;
  }
  return out;
}
