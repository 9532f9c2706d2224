import { mergeResults } from '../load/merge.ts';
import type { LoadResult, Saturation } from '../model/load.ts';
import type { MergeInfo, RunnerRow, SegmentCoverage, SegmentRef } from '../model/merge.ts';
import type { Environment, Summary } from '../model/summary.ts';
import type { PhaseOutput } from '../run/phase.ts';
import { judgeComparison } from '../run/phases/comparison.ts';
import { judgeConformance } from '../run/phases/conformance.ts';
import { judgeLoad } from '../run/phases/load.ts';
import { judgeOverhead } from '../run/phases/overhead.ts';
import { judgeSecurity } from '../run/phases/security.ts';
import { addMetrics, type PhasesRecord } from '../run/run.ts';
import { evaluateThresholds, JUDGED_ON_MERGE } from './gate.ts';
import { segmentRow } from './runner-row.ts';
import { assembleSummary } from './summary.ts';

/** One runner's summary.json, with where it was read from. */
export interface Part {
  file: string;
  summary: Summary;
}

/** Parts that cannot be merged at all (another scenario, another command): invalid input, exit 2. */
export class MergeInputError extends Error {}

/** Runners whose schedules began further apart than this (by their clocks) get a warning. */
export const START_SPREAD_WARNING_MS = 1000;

const label = (s: SegmentRef) => `${s.index}/${s.of}`;
const segmentOf = (s: Summary): SegmentRef => s.segment ?? { index: 1, of: 1 };

/**
 * Which parts go into the totals: one part per segment of the most common split. A segment given
 * twice is merged once; a part of another split (2/4 beside thirds) shares attempts with every
 * segment and is left out; a segment nobody ran is missing. Each is a reason the merge is partial.
 */
export function segmentCoverage(parts: readonly Part[]): {
  coverage: SegmentCoverage;
  merged: Part[];
  leftOut: Map<Part, string>;
} {
  const counts = new Map<number, number>();
  for (const p of parts) counts.set(segmentOf(p.summary).of, (counts.get(segmentOf(p.summary).of) ?? 0) + 1);
  // The split most parts agree on; on a tie, the one of the first part given.
  const of = [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0];
  const merged: Part[] = [];
  const leftOut = new Map<Part, string>();
  const coverage: SegmentCoverage = { of, merged: [], missing: [], duplicate: [], overlapping: [] };
  const byIndex = new Map<number, Part>();
  for (const p of parts) {
    const seg = segmentOf(p.summary);
    if (seg.of !== of) {
      coverage.overlapping.push(label(seg));
      leftOut.set(p, `segment ${label(seg)} splits the scenario differently than the other parts (into ${of})`);
      continue;
    }
    const first = byIndex.get(seg.index);
    if (first) {
      coverage.duplicate.push(label(seg));
      leftOut.set(p, `segment ${label(seg)} again (already merged from ${first.file})`);
      continue;
    }
    byIndex.set(seg.index, p);
  }
  for (let i = 1; i <= of; i++) {
    const p = byIndex.get(i);
    if (p) {
      merged.push(p);
      coverage.merged.push(label({ index: i, of }));
    } else coverage.missing.push(label({ index: i, of }));
  }
  return { coverage, merged, leftOut };
}

/** Lines that say what the coverage lacks, each a reason the merged result is partial. */
function coverageProblems(c: SegmentCoverage, leftOut: Map<Part, string>): string[] {
  const out: string[] = [];
  if (c.missing.length > 0)
    out.push(
      `segment${c.missing.length > 1 ? 's' : ''} ${c.missing.join(', ')} missing: the merged numbers cover ` +
        `${c.merged.length} of ${c.of} segments`,
    );
  for (const [p, why] of leftOut) out.push(`${p.file} left out: ${why}`);
  return out;
}

/**
 * Merge the summaries of a split scenario's runners into one summary: the parts must be runs of one
 * scenario (the same sha256); the load is merged exactly (HDR histograms added, counters summed, the
 * per-second series aligned on the earliest start), the phases that ran once come from segment 1, and
 * the scenario's thresholds are judged once on the merged metrics. Missing, duplicate and
 * overlapping segments, and runners that could not carry out their part, make it partial (exit 3).
 */
export function mergeParts(parts: readonly Part[], opts: { runId: string; environment: Environment }): Summary {
  checkMergeable(parts);
  const { coverage, merged, leftOut } = segmentCoverage(parts);
  const designated = merged.find((p) => segmentOf(p.summary).index === 1);
  const reference = (designated ?? merged[0] ?? parts[0]!).summary;
  const startAt =
    reference.segment?.startAt ?? merged.find((p) => p.summary.segment?.startAt)?.summary.segment?.startAt;
  const startAtMs = startAt !== undefined ? Date.parse(startAt) : undefined;
  const warnings: string[] = [];

  const origins = merged.flatMap((p) => (p.summary.load?.startedAt ? [Date.parse(p.summary.load.startedAt)] : []));
  const base = origins.length > 0 ? Math.min(...origins) : undefined;
  // When each runner's schedule actually began, by its clock: its origin plus how late its first tick came.
  const began = merged.flatMap((p) => {
    const l = p.summary.load;
    return l?.startedAt ? [Date.parse(l.startedAt) + (l.startLateMs ?? 0)] : [];
  });
  const spreadMs = began.length > 1 ? round3(Math.max(...began) - Math.min(...began)) : undefined;
  const loads = merged.flatMap((p) => (p.summary.load ? [alignedLoad(p.summary.load, base)] : []));
  const load = loads.length > 0 ? mergeLoads(loads, merged) : undefined;
  if (load && base !== undefined) load.startedAt = new Date(base).toISOString();

  const record: PhasesRecord = { sections: {}, metrics: {}, failures: [], fatal: [] };
  const take = (out: PhaseOutput) => {
    addMetrics(record.metrics, out.metrics);
    record.failures.push(...out.failures);
  };
  const d = designated?.summary;
  if (d?.conformance) {
    record.sections.conformance = d.conformance;
    take(judgeConformance(d.conformance));
  }
  if (load) {
    record.sections.load = load;
    // Each runner's own verdict says whether its generator was saturated (and whether that fails it).
    take(judgeLoad(load, { onSaturation: 'warn', interrupted: false }));
  }
  if (d?.overhead) {
    record.sections.overhead = d.overhead;
    take(judgeOverhead(d.overhead));
  }
  if (d?.comparison) {
    record.sections.comparison = d.comparison;
    take(judgeComparison(d.comparison));
  }
  if (d?.security) {
    record.sections.security = d.security;
    take(judgeSecurity(d.security));
  }
  for (const p of merged) {
    const s = p.summary;
    const fatal = s.verdict.fatal ?? (s.verdict.exitCode === 3 ? s.verdict.failures : []);
    for (const f of fatal) record.fatal.push(`runner ${label(segmentOf(s))}: ${f}`);
  }
  const problems = coverageProblems(coverage, leftOut);
  record.fatal.push(...problems);
  const partialParts = merged.filter((p) => p.summary.partial);
  const partial = [
    ...problems,
    ...partialParts.map((p) => `runner ${label(segmentOf(p.summary))} was partial: ${p.summary.partialReason ?? ''}`),
  ];
  if (partial.length > 0) record.partialReason = partial.join('; ');

  if (spreadMs !== undefined && spreadMs > START_SPREAD_WARNING_MS)
    warnings.push(
      `the runners' schedules began ${(spreadMs / 1000).toFixed(1)} s apart by their own clocks: their per-second ` +
        `series were moved by whole seconds onto the earliest start${startAt ? '' : ' (give every runner --start-at)'}`,
    );
  if (!startAt && merged.length > 1)
    warnings.push('no --start-at was given: the runners began whenever each was ready, so their load overlapped less');
  const versions = [...new Set(parts.map((p) => p.summary.tool.version))];
  if (versions.length > 1)
    warnings.push(`the parts were written by different wsgate versions (${versions.join(', ')})`);

  // Judged afresh: only a reason the command never measures a metric is kept from the parts.
  const skippedBefore = new Map(reference.thresholds.map((t) => [t.source, t.skipped]));
  const thresholds = evaluateThresholds(
    reference.thresholds.map(({ source, metric, op, value }) => ({ source, metric, op, value })),
    record.metrics,
    (t) => {
      const why = skippedBefore.get(t.source);
      return why && why !== JUDGED_ON_MERGE ? why : undefined;
    },
  );
  const starts = parts.map((p) => Date.parse(p.summary.run.startedAt));
  const ends = parts.map((p) => Date.parse(p.summary.run.endedAt));
  const summary = assembleSummary(
    {
      scenario: reference.scenario,
      command: 'merge',
      runId: opts.runId,
      startedAt: new Date(Math.min(...starts)),
      durationMs: Math.max(...ends) - Math.min(...starts),
      environment: opts.environment,
      targets: reference.targets,
      credentials: reference.credentials,
      ...(reference.trend ? { trendTolerances: reference.trend.tolerances } : {}),
    },
    record,
    thresholds,
  );
  const runners: RunnerRow[] = parts.map((p) =>
    segmentRow(p.file, p.summary, segmentOf(p.summary), !leftOut.has(p), leftOut.get(p), startAtMs),
  );
  const merge: MergeInfo = {
    from: 'wsgate-segments',
    coverage,
    clock: {
      ...(startAt ? { startAt } : {}),
      ...(spreadMs !== undefined ? { spreadMs } : {}),
      aligned: base !== undefined,
    },
    warnings,
  };
  return { ...summary, runners, merge };
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** Parts that are not segments of one scenario's `wsgate run` cannot be merged at all. */
function checkMergeable(parts: readonly Part[]): void {
  if (parts.length === 0) throw new MergeInputError('no parts to merge');
  const notRun = parts.filter((p) => p.summary.run.command !== 'run');
  if (notRun.length > 0)
    throw new MergeInputError(
      `${notRun.map((p) => `${p.file} (\`wsgate ${p.summary.run.command}\`)`).join(', ')}: merge reads the ` +
        'summaries of `wsgate run` (with --segment)',
    );
  const byHash = new Map<string, Part[]>();
  for (const p of parts) byHash.set(p.summary.scenario.hash, [...(byHash.get(p.summary.scenario.hash) ?? []), p]);
  if (byHash.size > 1)
    throw new MergeInputError(
      'the parts are runs of different scenarios (their sha256 differ): ' +
        [...byHash.values()]
          .map(
            (ps) =>
              `${ps[0]!.summary.scenario.name} ${ps[0]!.summary.scenario.hash.slice(0, 12)}… ` +
              `(${ps.map((p) => p.file).join(', ')})`,
          )
          .join(' vs '),
    );
}

/** A runner's load with its seconds moved onto the common time base (whole seconds from the earliest start). */
function alignedLoad(load: LoadResult, base: number | undefined): LoadResult {
  if (base === undefined || !load.startedAt) return load;
  const shift = Math.round((Date.parse(load.startedAt) - base) / 1000);
  return shift === 0 ? load : { ...load, series: load.series.map((s) => ({ ...s, t: s.t + shift })) };
}

/** The runners' loads as one: the worker merge (exact), with processes counted and saturation over runners. */
function mergeLoads(loads: LoadResult[], parts: readonly Part[]): LoadResult {
  const m = mergeResults(loads);
  const out: LoadResult = loads.length === 1 ? { ...m } : m;
  out.workers = loads.reduce((n, l) => n + l.workers, 0);
  const saturations = parts.flatMap((p) =>
    p.summary.load?.saturation ? [{ seg: segmentOf(p.summary), s: p.summary.load.saturation }] : [],
  );
  if (saturations.length > 0) {
    const sides = new Set(saturations.map((x) => x.s.side));
    const generator = sides.has('generator') || sides.has('both');
    const target = sides.has('target') || sides.has('both');
    const worst = (f: (s: Saturation) => number | undefined) => {
      const v = saturations.map((x) => f(x.s)).filter((x): x is number => x !== undefined);
      return v.length > 0 ? Math.max(...v) : undefined;
    };
    const hostCpu = worst((s) => s.hostCpu);
    const targetCpu = worst((s) => s.targetCpu);
    out.saturation = {
      side: generator && target ? 'both' : generator ? 'generator' : target ? 'target' : 'none',
      reasons: saturations.flatMap((x) => x.s.reasons.map((r) => `runner ${label(x.seg)}: ${r}`)),
      ...(hostCpu !== undefined ? { hostCpu } : {}),
      ...(targetCpu !== undefined ? { targetCpu } : {}),
    };
  }
  return out;
}
