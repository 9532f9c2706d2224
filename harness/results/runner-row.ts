import type { LoadResult } from '../model/load.ts';
import type { RunnerRow, SegmentRef } from '../model/merge.ts';
import type { Summary } from '../model/summary.ts';

/** One runner's row of a merged report: its own totals, generator health and clock, from its load. */
export function loadRow(
  base: Pick<RunnerRow, 'label' | 'source' | 'merged' | 'partial'> & Partial<RunnerRow>,
  load: LoadResult | undefined,
): RunnerRow {
  const g = load?.generator;
  const h = load?.handshake;
  return {
    ...base,
    attempts: load?.attempts ?? 0,
    upgrades: load?.upgrades ?? 0,
    unexpected: load?.unexpected ?? 0,
    errors: load?.series.reduce((n, s) => n + s.errors, 0) ?? 0,
    ...(h ? { handshake: { count: h.count, p50: h.p50, p95: h.p95, p99: h.p99 } } : {}),
    ...(load?.held ? { heldPeak: load.held.peak } : {}),
    ...(g
      ? {
          generator: {
            ...(g.late ? { lateP99: g.late.p99 } : {}),
            loopP99: g.loopDelay.p99,
            cpu: g.cpu.busiestShare,
          },
        }
      : {}),
    ...(load?.saturation ? { saturation: load.saturation.side } : {}),
  };
}

/** The row of one segment run's summary. */
export function segmentRow(
  file: string,
  s: Summary,
  segment: SegmentRef,
  merged: boolean,
  note: string | undefined,
  startAtMs: number | undefined,
): RunnerRow {
  const origin = s.load?.startedAt;
  const began = origin !== undefined ? Date.parse(origin) + (s.load?.startLateMs ?? 0) : undefined;
  return loadRow(
    {
      label: `${segment.index}/${segment.of}`,
      segment,
      source: file,
      host: s.environment.hostname,
      runId: s.run.id,
      merged,
      ...(note ? { note } : {}),
      partial: s.partial,
      exitCode: s.verdict.exitCode,
      ...(origin
        ? {
            clock: {
              scheduleStartedAt: origin,
              ...(startAtMs !== undefined && began !== undefined
                ? { startOffsetMs: Math.round((began - startAtMs) * 1000) / 1000 }
                : {}),
            },
          }
        : {}),
    },
    s.load,
  );
}
