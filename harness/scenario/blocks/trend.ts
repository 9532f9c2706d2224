import { Type } from '@sinclair/typebox';

/**
 * The `trend:` block: how much a metric may move between nightly runs before `wsgate trend` calls it
 * a regression, even when the change is real (a practical tolerance, on top of the noise the rule
 * measures). Keys are metric names (`handshake.p95`) or bases (`handshake`); values percentages.
 */
export const TrendSchema = Type.Record(
  Type.String({ description: 'A metric (handshake.p95) or a metric base (handshake)' }),
  Type.String({
    pattern: '^[0-9]+(\\.[0-9]+)?%$',
    description: "Tolerance as a percentage of the earlier runs' level, e.g. 20%",
  }),
  {
    description:
      'Practical tolerances for wsgate trend: a metric regresses only when it is worse beyond the measured noise ' +
      'and by more than this share (default 5% for latencies, 0 for counts)',
  },
);
