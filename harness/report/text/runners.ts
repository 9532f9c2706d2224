import type { MergeInfo, RunnerRow } from '../../model/merge.ts';
import type { Summary } from '../../model/summary.ts';

/** The cells of one runner's row (or the merged total), as every report shows them. */
export interface RunnerCells {
  runner: string;
  host: string;
  attempts: string;
  upgrades: string;
  unexpected: string;
  errors: string;
  handshake: string;
  generator: string;
  start: string;
  note: string;
}

export const RUNNER_HEADS = [
  'runner',
  'host',
  'attempts',
  'upgraded',
  'unexpected',
  'errors',
  'time to 101 p50 / p95 / p99 ms',
  'generator (late p99, loop p99, core)',
  'schedule start',
  'note',
] as const;

const offset = (ms: number) => `${ms >= 0 ? '+' : ''}${Math.round(ms)} ms`;

/** One runner's cells. */
export function runnerCells(r: RunnerRow): RunnerCells {
  const g = r.generator;
  const notes = [
    r.merged ? '' : 'left out',
    r.note ?? '',
    r.partial ? 'partial' : '',
    r.exitCode !== undefined && r.exitCode !== 0 ? `exit ${r.exitCode}` : '',
    r.saturation && r.saturation !== 'none' ? `saturated: ${r.saturation}` : '',
  ].filter(Boolean);
  return {
    runner: r.label,
    host: r.host ?? '–',
    attempts: String(r.attempts),
    upgrades: String(r.upgrades),
    unexpected: String(r.unexpected),
    errors: String(r.errors),
    handshake: r.handshake ? `${r.handshake.p50} / ${r.handshake.p95} / ${r.handshake.p99}` : '–',
    generator: g ? `${g.lateP99 ?? 0} ms, ${g.loopP99} ms, ${Math.round(g.cpu * 100)}%` : '–',
    start:
      r.clock?.startOffsetMs !== undefined
        ? `${offset(r.clock.startOffsetMs)} from the agreed start`
        : (r.clock?.scheduleStartedAt ?? '–'),
    note: notes.join('; '),
  };
}

/** The merged totals, in the same cells. */
export function totalCells(s: Summary): RunnerCells {
  const l = s.load;
  const h = l?.handshake;
  const g = l?.generator;
  return {
    runner: 'merged',
    host: `${s.runners?.filter((r) => r.merged).length ?? 0} runners`,
    attempts: String(l?.attempts ?? 0),
    upgrades: String(l?.upgrades ?? 0),
    unexpected: String(l?.unexpected ?? 0),
    errors: String(l?.series.reduce((n, x) => n + x.errors, 0) ?? 0),
    handshake: h ? `${h.p50} / ${h.p95} / ${h.p99}` : '–',
    generator: g ? `${g.late?.p99 ?? 0} ms, ${g.loopDelay.p99} ms, ${Math.round(g.cpu.busiestShare * 100)}%` : '–',
    start: s.merge?.clock.spreadMs !== undefined ? `spread ${Math.round(s.merge.clock.spreadMs)} ms` : '–',
    note: s.partial ? 'partial' : '',
  };
}

/** "3 of 3 segments merged; schedules began within 4 ms (by the runners' clocks)": a merge in a sentence. */
export function mergeHeadline(m: MergeInfo): string {
  const parts: string[] = [];
  const c = m.coverage;
  if (c) {
    parts.push(`${c.merged.length} of ${c.of} segment${c.of > 1 ? 's' : ''} merged`);
    if (c.missing.length) parts.push(`missing ${c.missing.join(', ')}`);
    if (c.duplicate.length) parts.push(`duplicate ${c.duplicate.join(', ')}`);
    if (c.overlapping.length) parts.push(`overlapping ${c.overlapping.join(', ')}`);
  }
  if (m.clock.spreadMs !== undefined)
    parts.push(`schedules began within ${Math.round(m.clock.spreadMs)} ms of each other (by the runners' own clocks)`);
  if (m.clock.startAt) parts.push(`agreed start ${m.clock.startAt}`);
  return parts.join('; ');
}
