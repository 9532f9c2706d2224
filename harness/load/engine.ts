import { LatencyRecorder } from '../metrics/histogram.ts';
import { NETWORK_OUTCOMES, type Outcome } from '../outcome/outcome.ts';
import type { PlannedCredential, PlannedTarget } from '../plan/plan.ts';
import { KeyPool } from '../wire/accept.ts';
import { arrivals, scheduledCount, type Stage } from './arrival-schedule.ts';
import type { LoadResult, LoadSecond, LoadSetResult } from './result.ts';
import { attemptSpec, runAttempt, type AttemptSpec } from './upgrade-client.ts';

export interface LoadPlan {
  stages: Stage[];
  targets: PlannedTarget[];
  /** Credential sets with their weights (> 0). */
  mix: Array<{ cred: PlannedCredential; weight: number; expected: Map<string, Outcome[]> }>;
  maxInFlight: number;
}

export interface LoadOptions {
  signal?: AbortSignal;
  /** Called once a second with the second that just ended. */
  onSecond?: (s: LoadSecond, handshakeP95: number | undefined) => void;
}

/** Network failures in a row (with no answer in between) after which the target counts as dead. */
const DEAD_AFTER = 200;
const ERRORS: ReadonlySet<string> = new Set(NETWORK_OUTCOMES.filter((o) => o !== 'protocol_error'));

/**
 * Run the open model: start each attempt at its scheduled time (late starts keep their scheduled
 * time as the latency origin), draw credential sets by smooth weighted round robin so the mix is
 * exact, and measure into fixed-size histograms.
 */
export async function runLoad(plan: LoadPlan, opts: LoadOptions = {}): Promise<LoadResult> {
  const keys = new KeyPool(4096);
  const specs = new Map<string, AttemptSpec>();
  const sets = new Map<string, { result: LoadSetResult; response: LatencyRecorder }>();
  for (const t of plan.targets) {
    for (const m of plan.mix) {
      specs.set(`${t.name}\0${m.cred.name}`, attemptSpec(t, m.cred));
      sets.set(`${t.name}\0${m.cred.name}`, {
        result: { target: t.name, credential: m.cred.name, expected: m.expected.get(t.name)!, attempts: 0, outcomes: {}, unexpected: 0 },
        response: new LatencyRecorder(),
      });
    }
  }
  const handshake = new LatencyRecorder();
  const sinceSend = new LatencyRecorder();
  const connect = new LatencyRecorder();
  const outcomes: Partial<Record<Outcome, number>> = {};
  const series: LoadSecond[] = [];
  let current: LoadSecond = { t: 0, attempts: 0, upgrades: 0, errors: 0, open: 0 };
  let inFlight = 0;
  let attempts = 0;
  let upgrades = 0;
  let unexpected = 0;
  let skipped = 0;
  let failuresInARow = 0;
  let stoppedBecause: string | undefined;

  // Smooth weighted round robin (nginx's upstream algorithm): an exact split, evenly interleaved.
  const wrr = plan.mix.map((m) => ({ m, current: 0 }));
  const total = plan.mix.reduce((s, m) => s + m.weight, 0);
  const pickSet = () => {
    let best = wrr[0]!;
    for (const w of wrr) {
      w.current += w.m.weight;
      if (w.current > best.current) best = w;
    }
    best.current -= total;
    return best.m;
  };
  const nextTarget = new Map<string, number>();

  const t0 = performance.now();
  const schedule = arrivals(plan.stages);
  let next = schedule.next();

  await new Promise<void>((resolve) => {
    let finished = false;
    const maybeResolve = () => {
      if (!finished && (next.done || stoppedBecause) && inFlight === 0) {
        finished = true;
        clearInterval(ticker);
        resolve();
      }
    };
    const launch = (scheduledAt: number) => {
      const m = pickSet();
      // Targets rotate per set, so every set is spread evenly over the targets whatever the mix.
      const turn = nextTarget.get(m.cred.name) ?? 0;
      nextTarget.set(m.cred.name, turn + 1);
      const target = plan.targets[turn % plan.targets.length]!;
      const key = `${target.name}\0${m.cred.name}`;
      const set = sets.get(key)!;
      inFlight++;
      attempts++;
      current.attempts++;
      set.result.attempts++;
      runAttempt(specs.get(key)!, keys, (r) => {
        inFlight--;
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        set.result.outcomes[r.outcome] = (set.result.outcomes[r.outcome] ?? 0) + 1;
        if (!set.result.expected.includes(r.outcome)) {
          set.result.unexpected++;
          unexpected++;
        }
        if (r.headAt !== undefined) set.response.record(r.headAt - scheduledAt);
        if (r.connectedAt !== undefined) connect.record(r.connectedAt - r.startedAt);
        if (r.outcome === 'upgraded' && r.headAt !== undefined) {
          upgrades++;
          current.upgrades++;
          handshake.record(r.headAt - scheduledAt);
          if (r.sentAt !== undefined) sinceSend.record(r.headAt - r.sentAt);
        }
        if (ERRORS.has(r.outcome)) {
          current.errors++;
          if (++failuresInARow >= DEAD_AFTER && !stoppedBecause) stoppedBecause = `${DEAD_AFTER} attempts in a row failed at the network level (last: ${r.outcome}): the target stopped answering`;
        } else failuresInARow = 0;
        maybeResolve();
      });
    };
    const tick = () => {
      if (opts.signal?.aborted && !stoppedBecause) stoppedBecause = `interrupted: ${String(opts.signal.reason ?? 'aborted')}`;
      const now = performance.now() - t0;
      if (now >= (series.length + 1) * 1000) {
        current.open = inFlight;
        series.push(current);
        opts.onSecond?.(current, handshake.count > 0 ? handshake.summary()?.p95 : undefined);
        current = { t: series.length, attempts: 0, upgrades: 0, errors: 0, open: 0 };
      }
      while (!stoppedBecause && !next.done && next.value <= now) {
        if (inFlight >= plan.maxInFlight) skipped++;
        else launch(t0 + next.value);
        next = schedule.next();
      }
      maybeResolve();
    };
    const ticker = setInterval(tick, 1);
    tick();
  });

  const setResults = [...sets.values()].map(({ result, response }) => {
    const summary = response.summary();
    response.destroy();
    return summary ? { ...result, response: summary } : result;
  });
  const result: LoadResult = {
    model: 'arrival-rate',
    stages: plan.stages,
    scheduled: scheduledCount(plan.stages),
    attempts,
    skippedMaxInFlight: skipped,
    upgrades,
    unexpected,
    outcomes,
    handshake: handshake.summary(),
    handshakeSinceSend: sinceSend.summary(),
    connect: connect.summary(),
    sets: setResults,
    series: current.attempts > 0 ? [...series, { ...current, open: inFlight }] : series,
    durationMs: Math.round(performance.now() - t0),
    partial: stoppedBecause !== undefined,
    stoppedBecause,
    workers: 1,
  };
  handshake.destroy();
  sinceSend.destroy();
  connect.destroy();
  return result;
}
