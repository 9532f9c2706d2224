import { mergeSummaries } from '../metrics/latency-recorder.ts';
import {
  type GeneratorHealth,
  type HeldResult,
  type LoadResult,
  type LoadSecond,
  type LoadSetResult,
  type LoadTimings,
  TIMING_NAMES,
} from '../model/load.ts';
import type { Outcome } from '../model/outcome.ts';
import type { WireTrace } from '../model/trace.ts';

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [k, n] of Object.entries(from) as Array<[K, number]>) into[k] = (into[k] ?? 0) + n;
}

function mergeTimings(parts: Array<LoadTimings | undefined>): LoadTimings {
  const out: LoadTimings = {};
  for (const name of TIMING_NAMES) {
    const m = mergeSummaries(parts.map((p) => p?.[name]));
    if (m) out[name] = m;
  }
  return out;
}

function mergeSets(parts: LoadSetResult[][]): LoadSetResult[] {
  const byKey = new Map<string, LoadSetResult[]>();
  for (const list of parts)
    for (const s of list)
      byKey.set(`${s.target}\0${s.credential}`, [...(byKey.get(`${s.target}\0${s.credential}`) ?? []), s]);
  return [...byKey.values()].map((same) => {
    const outcomes: Partial<Record<Outcome, number>> = {};
    for (const s of same) addCounts(outcomes, s.outcomes);
    const response = mergeSummaries(same.map((s) => s.response));
    return {
      target: same[0]!.target,
      credential: same[0]!.credential,
      expected: same[0]!.expected,
      attempts: same.reduce((n, s) => n + s.attempts, 0),
      outcomes,
      unexpected: same.reduce((n, s) => n + s.unexpected, 0),
      ...(response ? { response } : {}),
      timings: mergeTimings(same.map((s) => s.timings)),
    };
  });
}

/** Seconds added up by their index: every worker's second t is the same wall-clock second. */
export function mergeSeries(parts: LoadSecond[][]): LoadSecond[] {
  const out: LoadSecond[] = [];
  for (const list of parts) {
    for (const s of list) {
      out[s.t] ??= { t: s.t, attempts: 0, upgrades: 0, errors: 0, open: 0, dropped: 0 };
      const into = out[s.t]!;
      into.attempts += s.attempts;
      into.upgrades += s.upgrades;
      into.errors += s.errors;
      into.open += s.open;
      into.dropped = (into.dropped ?? 0) + (s.dropped ?? 0);
      for (const k of ['echoes', 'lost'] as const) if (s[k] !== undefined) into[k] = (into[k] ?? 0) + s[k];
      // The generator's health in a second is its worst process's; a machine's or target's, the busiest one's.
      for (const k of ['lateP99', 'loopP99', 'cpu', 'targetCpu', 'hostCpu', 'rttP95'] as const) {
        const v = s[k];
        if (v !== undefined) into[k] = Math.max(into[k] ?? 0, v);
      }
    }
  }
  return out.filter((s) => s !== undefined);
}

function mergeHeld(parts: HeldResult[]): HeldResult | undefined {
  if (parts.length === 0) return undefined;
  const dropCodes: Record<string, number> = {};
  for (const p of parts) addCounts(dropCodes, p.dropCodes);
  const sum = (k: 'opened' | 'peak' | 'dropped' | 'messages' | 'echoes' | 'echoFailed' | 'closedClean') =>
    parts.reduce((n, p) => n + p[k], 0);
  const sumOptional = (k: 'late' | 'lost' | 'changed') => parts.reduce((n, p) => n + (p[k] ?? 0), 0);
  return {
    // Each process was asked for its own share of the connections.
    target: parts.reduce((n, p) => n + p.target, 0),
    opened: sum('opened'),
    // Each worker's peak, summed: they coincide on the hold plateau, where the peak is reached.
    peak: sum('peak'),
    dropped: sum('dropped'),
    dropCodes,
    messages: sum('messages'),
    echoes: sum('echoes'),
    echoFailed: sum('echoFailed'),
    late: sumOptional('late'),
    lost: sumOptional('lost'),
    changed: sumOptional('changed'),
    closedClean: sum('closedClean'),
    ...(parts.some((p) => p.cutByShutdown)
      ? { cutByShutdown: parts.reduce((n, p) => n + (p.cutByShutdown ?? 0), 0) }
      : {}),
    firstRtt: mergeSummaries(parts.map((p) => p.firstRtt)),
    rtt: mergeSummaries(parts.map((p) => p.rtt)),
  };
}

/** One LoadResult from the workers' results: counts added, histograms merged exactly, series aligned. */
export function mergeResults(parts: LoadResult[], opts: { traceFirst?: number } = {}): LoadResult {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const p of parts) addCounts(outcomes, p.outcomes);
  const sum = (k: 'scheduled' | 'attempts' | 'skippedMaxInFlight' | 'upgrades' | 'unexpected') =>
    parts.reduce((n, p) => n + p[k], 0);
  const held = mergeHeld(parts.flatMap((p) => (p.held ? [p.held] : [])));
  const stopped = parts.find((p) => p.stoppedBecause);
  return {
    model: first.model,
    stages: first.stages,
    scheduled: sum('scheduled'),
    attempts: sum('attempts'),
    skippedMaxInFlight: sum('skippedMaxInFlight'),
    upgrades: sum('upgrades'),
    unexpected: sum('unexpected'),
    outcomes,
    handshake: mergeSummaries(parts.map((p) => p.handshake)),
    handshakeSinceSend: mergeSummaries(parts.map((p) => p.handshakeSinceSend)),
    connect: mergeSummaries(parts.map((p) => p.connect)),
    ...(held ? { held } : {}),
    sets: mergeSets(parts.map((p) => p.sets)),
    series: mergeSeries(parts.map((p) => p.series)),
    durationMs: Math.max(...parts.map((p) => p.durationMs)),
    ...(parts.some((p) => p.startLateMs !== undefined)
      ? { startLateMs: Math.max(...parts.map((p) => p.startLateMs ?? 0)) }
      : {}),
    partial: parts.some((p) => p.partial),
    ...(stopped ? { stoppedBecause: stopped.stoppedBecause } : {}),
    workers: parts.length,
    memory: {
      rssStartBytes: parts.reduce((n, p) => n + (p.memory?.rssStartBytes ?? 0), 0),
      rssMaxBytes: parts.reduce((n, p) => n + (p.memory?.rssMaxBytes ?? 0), 0),
    },
    sourceAddresses: [...new Set(parts.flatMap((p) => p.sourceAddresses))],
    ...(parts.some((p) => p.cutByShutdown)
      ? { cutByShutdown: parts.reduce((n, p) => n + (p.cutByShutdown ?? 0), 0) }
      : {}),
    ...mergeGenerator(parts.flatMap((p) => (p.generator ? [p.generator] : []))),
    ...mergeTraces(parts, opts.traceFirst ?? Number.POSITIVE_INFINITY),
  };
}

/**
 * Each worker traced its own first attempts of every set; over the run, the first N of a set are
 * the N scheduled earliest, numbered again in that order.
 */
function mergeTraces(parts: readonly LoadResult[], perSet: number): { traces?: WireTrace[] } {
  const all = parts.flatMap((p) => p.traces ?? []);
  if (all.length === 0) return {};
  const bySet = new Map<string, WireTrace[]>();
  for (const t of all) {
    const key = `${t.target}\0${t.credential}`;
    bySet.set(key, [...(bySet.get(key) ?? []), t]);
  }
  const traces: WireTrace[] = [];
  for (const list of bySet.values()) {
    list.sort((a, b) => (a.scheduledMs ?? 0) - (b.scheduledMs ?? 0));
    for (const [i, t] of list.slice(0, perSet).entries()) traces.push({ ...t, attempt: i + 1 });
  }
  return { traces };
}

/** The generator over its processes: lateness histograms added, the worst loop delay and busiest core. */
function mergeGenerator(parts: GeneratorHealth[]): { generator?: GeneratorHealth } {
  if (parts.length === 0) return {};
  const late = mergeSummaries(parts.map((p) => p.late));
  const worst = (f: (p: GeneratorHealth) => number) => Math.max(...parts.map(f));
  return {
    generator: {
      ...(late ? { late } : {}),
      lateBeyondBound: parts.reduce((n, p) => n + p.lateBeyondBound, 0),
      lateBoundMs: parts[0]!.lateBoundMs,
      loopDelay: {
        p50: worst((p) => p.loopDelay.p50),
        p99: worst((p) => p.loopDelay.p99),
        max: worst((p) => p.loopDelay.max),
      },
      cpu: {
        userMs: parts.reduce((n, p) => n + p.cpu.userMs, 0),
        systemMs: parts.reduce((n, p) => n + p.cpu.systemMs, 0),
        busiestShare: worst((p) => p.cpu.busiestShare),
      },
      processes: parts.reduce((n, p) => n + p.processes, 0),
      ...(parts.some((p) => p.nice !== undefined) ? { nice: worst((p) => p.nice ?? 0) } : {}),
    },
  };
}
