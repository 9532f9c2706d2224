import { parseThreshold } from '../../plan/thresholds.ts';

/** k6 metric names the exported script records, mirroring wsgate's. */
export const K6_HANDSHAKE_TREND = 'wsgate_handshake';
export const K6_UNEXPECTED_COUNTER = 'wsgate_unexpected_outcomes';

const AGG: Record<string, string> = { max: 'max', min: 'min', mean: 'avg', p50: 'med' };

/**
 * A wsgate threshold as a k6 threshold (`metric` and expression), or why it cannot be one.
 * Only metrics the exported script records map: handshake time, unexpected outcomes, checks.
 */
export function k6Threshold(source: string): { metric: string; expression: string } | { reason: string } {
  const parsed = parseThreshold(source);
  if (!parsed.ok) return { reason: parsed.message };
  const t = parsed.threshold;
  const op = t.op === '==' ? '==' : t.op;
  if (t.metric === 'unexpected_outcomes') return { metric: K6_UNEXPECTED_COUNTER, expression: `count${op}${t.value}` };
  if (t.metric === 'checks_failed' && t.op === '==' && t.value === 0)
    return { metric: 'checks', expression: 'rate==1' };
  const m = /^handshake\.(p(\d+)|max|min|mean)$/.exec(t.metric);
  if (m) {
    const agg = AGG[m[1]!] ?? `p(${m[2] === '999' ? '99.9' : m[2]})`;
    return { metric: K6_HANDSHAKE_TREND, expression: `${agg}${op}${t.value}` };
  }
  return { reason: `threshold "${source}" names ${t.metric}, which the k6 script does not record` };
}
