import { type AttemptResult, type PreparedRequest, prepareRequest, runAttempt } from '../client/load-client.ts';
import { WireTap } from '../client/wire-tap.ts';
import { LatencyRecorder } from '../metrics/latency-recorder.ts';
import { type LoadResult, type LoadSecond, type LoadSetResult, type LoadTimings, TIMING_NAMES } from '../model/load.ts';
import type { Outcome } from '../model/outcome.ts';
import type { WireTrace } from '../model/trace.ts';
import { DEAD_AFTER_FAILURES_IN_A_ROW, isGeneratorLimit, isNetworkFailure } from '../outcome/reachability.ts';
import { arrivals, type Share, scheduledCount, shareOf } from '../plan/arrival-schedule.ts';
import type { HoldPlan, LoadPlan, MixEntry } from '../plan/load.ts';
import type { PlannedTarget } from '../plan/plan.ts';
import { KeyPool } from '../wire/accept.ts';
import { HealthWatch } from './generator-health.ts';
import { type HeldSink, Holder } from './held.ts';

export interface LoadOptions {
  signal?: AbortSignal;
  /** This process's part of the schedule when the load is spread over worker processes. */
  share?: Share;
  /** Wall-clock (performance.now()) origin shared by every worker; default: now. */
  startAt?: number;
  /** Called once a second with the second that just ended and that second's 101 latencies. */
  onSecond?: (s: LoadSecond, interval: LatencyRecorder) => void;
}

const CLOSE_TIMEOUT_MS = 2000;
/** The longest the scheduler sleeps: what a state change noticed only by a tick (the hold ending) may wait. */
const MAX_SLEEP_MS = 20;
/** How long one turn of the scheduler may spend opening connections before it lets answers in. */
const LAUNCH_BUDGET_MS = 5;

type TimingRecorders = Record<(typeof TIMING_NAMES)[number], LatencyRecorder>;

interface SetStats {
  result: LoadSetResult;
  response: LatencyRecorder;
  timings: TimingRecorders;
  /** Attempts of this set traced so far (`--trace`). */
  traced: number;
}

/** One traced attempt: its tap, and what the trace says about it once it ended. */
interface Traced {
  tap: WireTap;
  set: SetStats;
  attempt: number;
  scheduledMs: number;
  outcome?: Outcome;
}

/** Put an attempt's step times on its tap. */
function traceSteps(tap: WireTap, r: AttemptResult, kept: boolean): void {
  tap.step('started', r.startedAt);
  tap.step('connected', r.connectedAt);
  tap.step('tls_done', r.secureAt);
  tap.step('request_sent', r.sentAt);
  tap.step('first_byte', r.statusAt);
  tap.step('head_complete', r.headAt);
  if (!kept) tap.step('ended', performance.now());
}

/** Smooth weighted round robin (nginx's upstream algorithm): an exact split, evenly interleaved. */
function weightedPicker(mix: readonly MixEntry[]): () => MixEntry {
  const wrr = mix.map((m) => ({ m, current: 0 }));
  const total = mix.reduce((s, m) => s + m.weight, 0);
  return () => {
    let best = wrr[0]!;
    for (const w of wrr) {
      w.current += w.m.weight;
      if (w.current > best.current) best = w;
    }
    best.current -= total;
    return best.m;
  };
}

/** When each held connection opens (ms from the start), spread evenly over the ramp. */
function holdOpenTimes(hold: HoldPlan): number[] {
  return Array.from({ length: hold.count }, (_, k) => (k * hold.rampUpMs) / hold.count);
}

/**
 * Run one process's share of the load: arrival-rate attempts started at their scheduled time (late
 * starts keep the scheduled time as the latency origin: no coordinated omission) and/or held
 * connections opened over the ramp and kept with periodic messages. Credential sets are drawn by
 * smooth weighted round robin so the mix is exact; every measure goes into fixed-size histograms.
 */
export async function runLoad(plan: LoadPlan, opts: LoadOptions = {}): Promise<LoadResult> {
  const share = opts.share ?? { index: 0, of: 1 };
  const keys = new KeyPool(4096);
  const requests = new Map<string, PreparedRequest>();
  const sets = new Map<string, SetStats>();
  const newTimings = () => Object.fromEntries(TIMING_NAMES.map((p) => [p, new LatencyRecorder()])) as TimingRecorders;
  for (const t of plan.targets) {
    for (const m of plan.mix) {
      requests.set(`${t.name}\0${m.cred.name}`, prepareRequest(t, m.cred));
      sets.set(`${t.name}\0${m.cred.name}`, {
        result: {
          target: t.name,
          credential: m.cred.name,
          expected: m.expected.get(t.name)!,
          attempts: 0,
          outcomes: {},
          unexpected: 0,
        },
        response: new LatencyRecorder(),
        timings: newTimings(),
        traced: 0,
      });
    }
  }
  const handshake = new LatencyRecorder();
  const interval = new LatencyRecorder();
  const sinceSend = new LatencyRecorder();
  const connect = new LatencyRecorder();
  const outcomes: Partial<Record<Outcome, number>> = {};
  const series: LoadSecond[] = [];
  let current: LoadSecond = { t: 0, attempts: 0, upgrades: 0, errors: 0, open: 0, dropped: 0 };
  let inFlight = 0;
  let attempts = 0;
  let upgrades = 0;
  let unexpected = 0;
  let skipped = 0;
  let failuresInARow = 0;
  let stoppedBecause: string | undefined;
  /** Set once the run itself is stopping (Ctrl-C): failures after it are the shutdown's, not the target's. */
  let interrupted = false;
  let cutByShutdown = 0;
  let source = 0;
  /** How late after t0 the first tick of the schedule came: this process's start lateness. */
  let beganLateMs: number | undefined;
  const health = new HealthWatch();
  const traceFirst = plan.trace ?? 0;
  const traces: Traced[] = [];

  const hold = plan.hold;
  const holder = hold
    ? new Holder({
        messageEveryMs: hold.messageEveryMs,
        messageBytes: hold.messageBytes,
        messageTimeoutMs: hold.messageTimeoutMs,
        closeTimeoutMs: CLOSE_TIMEOUT_MS,
        onDrop: () => {
          if (!interrupted) current.dropped!++;
        },
        isShutdown: () => interrupted,
      })
    : undefined;
  // Only sets every target upgrades can be held; the others are for arrival-rate attempts.
  const holdMix = plan.mix.filter((m) => plan.targets.every((t) => m.expected.get(t.name)!.includes('upgraded')));
  const pickSet = weightedPicker(plan.mix);
  const pickHoldSet = holdMix.length > 0 ? weightedPicker(holdMix) : undefined;
  // Targets rotate per set, so every set is spread evenly over the targets whatever the mix. Arrivals
  // and held connections rotate apart: processes interleave the two sequences differently (each
  // ticks at its own instants), and one shared rotation would then give a set's k-th draw another
  // target in each process, so the split over processes would no longer be exact per target.
  const nextTarget = { arrival: new Map<string, number>(), held: new Map<string, number>() };
  const targetFor = (m: MixEntry, kind: 'arrival' | 'held') => {
    const turns = nextTarget[kind];
    const turn = turns.get(m.cred.name) ?? 0;
    turns.set(m.cred.name, turn + 1);
    return plan.targets[turn % plan.targets.length]!;
  };
  let arrivalIndex = 0;

  const rssStartBytes = process.memoryUsage.rss();
  let rssMaxBytes = rssStartBytes;
  const t0 = opts.startAt ?? performance.now();
  const schedule = arrivals(plan.stages);
  let next = schedule.next();
  const holdTimes = hold ? holdOpenTimes(hold) : [];
  /** Next held connection to open, over all workers. */
  let holdNext = 0;
  /** Held connections launched whose handshake has not ended yet. */
  let holdInFlight = 0;
  const holdEndsAt = hold ? hold.rampUpMs + hold.holdMs : 0;
  let holdState: 'ramp' | 'closing' | 'closed' = hold ? 'ramp' : 'closed';

  const record = (set: SetStats, r: AttemptResult, scheduledAt: number) => {
    if (interrupted && isNetworkFailure(r.outcome)) {
      // Cut by the run's own stop (and the fixtures stopping with it), not by the target.
      cutByShutdown++;
      return;
    }
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    set.result.outcomes[r.outcome] = (set.result.outcomes[r.outcome] ?? 0) + 1;
    if (!set.result.expected.includes(r.outcome)) {
      set.result.unexpected++;
      unexpected++;
    }
    const p = set.timings;
    if (r.connectedAt !== undefined) {
      connect.record(r.connectedAt - r.startedAt);
      p.connect.record(r.connectedAt - r.startedAt);
      if (r.secureAt !== undefined) p.tls.record(r.secureAt - r.connectedAt);
    }
    if (r.statusAt !== undefined && r.sentAt !== undefined) p.status.record(r.statusAt - r.sentAt);
    if (r.headAt !== undefined) set.response.record(r.headAt - scheduledAt);
    if (r.outcome === 'upgraded' && r.headAt !== undefined) {
      upgrades++;
      current.upgrades++;
      handshake.record(r.headAt - scheduledAt);
      interval.record(r.headAt - scheduledAt);
      p.upgrade.record(r.headAt - scheduledAt);
      if (r.sentAt !== undefined) sinceSend.record(r.headAt - r.sentAt);
    }
    if (isNetworkFailure(r.outcome)) {
      current.errors++;
      // The client's own limits neither count against the target nor clear its run of failures.
      if (isGeneratorLimit(r.outcome)) return;
      if (++failuresInARow >= DEAD_AFTER_FAILURES_IN_A_ROW && !stoppedBecause) {
        stoppedBecause =
          `${DEAD_AFTER_FAILURES_IN_A_ROW} attempts in a row failed at the network ` +
          `level (last: ${r.outcome}): the target stopped answering`;
      }
    } else failuresInARow = 0;
  };

  await new Promise<void>((resolve) => {
    let finished = false;
    const maybeResolve = () => {
      if (
        !finished &&
        (stoppedBecause || (next.done && holdState === 'closed')) &&
        inFlight === 0 &&
        holdState !== 'closing'
      ) {
        finished = true;
        clearTimeout(ticker);
        opts.signal?.removeEventListener('abort', wake);
        resolve();
      }
    };
    const launch = (m: MixEntry, target: PlannedTarget, scheduledAt: number, keep: boolean) => {
      const key = `${target.name}\0${m.cred.name}`;
      const set = sets.get(key)!;
      inFlight++;
      if (keep) holdInFlight++;
      health.started(performance.now() - scheduledAt);
      attempts++;
      current.attempts++;
      set.result.attempts++;
      const localAddress =
        plan.sourceAddresses.length > 0 ? plan.sourceAddresses[source++ % plan.sourceAddresses.length] : undefined;
      let traced: Traced | undefined;
      if (set.traced < traceFirst) {
        traced = { tap: new WireTap(scheduledAt), set, attempt: ++set.traced, scheduledMs: scheduledAt - t0 };
        traced.tap.step('scheduled', scheduledAt);
        traces.push(traced);
      }
      runAttempt(
        requests.get(key)!,
        keys,
        (r) => {
          inFlight--;
          if (keep) holdInFlight--;
          record(set, r, scheduledAt);
          if (traced) {
            traced.outcome = r.outcome;
            traceSteps(traced.tap, r, r.socket !== undefined);
          }
          if (r.socket) {
            if (holdState === 'ramp' && !stoppedBecause) holder!.adopt(r, set.timings satisfies HeldSink);
            else r.socket.destroy();
          }
          maybeResolve();
        },
        { keep, localAddress, ...(traced ? { tap: traced.tap } : {}) },
      );
    };
    const closeHeld = () => {
      holdState = 'closing';
      void holder!.closeAll().then(() => {
        holdState = 'closed';
        maybeResolve();
      });
    };
    const tick = () => {
      if (opts.signal?.aborted && !stoppedBecause) {
        stoppedBecause = `interrupted: ${String(opts.signal.reason ?? 'aborted')}`;
        interrupted = true;
      }
      const now = performance.now() - t0;
      if (now < 0) return;
      beganLateMs ??= now;
      if (now >= (series.length + 1) * 1000) {
        current.open = inFlight + (holder?.open ?? 0);
        const second = health.second();
        current.loopP99 = second.loopP99;
        current.cpu = second.cpu;
        if (second.lateP99 !== undefined) current.lateP99 = second.lateP99;
        if (holder && hold!.messageEveryMs > 0) Object.assign(current, holder.second());
        series.push(current);
        rssMaxBytes = Math.max(rssMaxBytes, process.memoryUsage.rss());
        opts.onSecond?.(current, interval);
        interval.reset();
        current = { t: series.length, attempts: 0, upgrades: 0, errors: 0, open: 0, dropped: 0 };
      }
      // Every worker draws the whole schedule's sets and targets and launches its own share, so
      // the mix and the rotation over targets are exact over all workers, not only within each.
      // Launching is bounded per turn: a generator far behind its schedule would otherwise open
      // thousands of sockets in one go and read no answer meanwhile (its loop stalled 1.75 s at 15,000/s).
      const launchUntil = performance.now() + LAUNCH_BUDGET_MS;
      let launched = 0;
      while (!stoppedBecause && !next.done && next.value <= now) {
        const m = pickSet();
        const target = targetFor(m, 'arrival');
        if (arrivalIndex++ % share.of === share.index) {
          if (inFlight >= plan.maxInFlight) skipped++;
          else {
            launch(m, target, t0 + next.value, false);
            if (++launched % 16 === 0 && performance.now() > launchUntil) {
              next = schedule.next();
              break;
            }
          }
        }
        next = schedule.next();
      }
      if (holdState === 'ramp') {
        while (!stoppedBecause && pickHoldSet && holdNext < holdTimes.length && holdTimes[holdNext]! <= now) {
          const m = pickHoldSet();
          const target = targetFor(m, 'held');
          if (holdNext++ % share.of === share.index) launch(m, target, t0 + holdTimes[holdNext - 1]!, true);
        }
        // A held connection whose upgrade ends after the hold window is still adopted and sends its
        // first message before the close: closing waits for the last held handshake (each bounded by
        // its timeouts), or a slow machine would silently hold fewer connections than planned.
        const rampDone = holdNext >= holdTimes.length || !pickHoldSet;
        if (stoppedBecause || (now >= holdEndsAt && rampDone && holdInFlight === 0)) closeHeld();
      }
      maybeResolve();
    };
    // The scheduler sleeps until the next thing is due (an arrival, a held connection to open, the
    // end of a second), at most MAX_SLEEP_MS: a fixed 1 ms interval cost 7% of a core while idle.
    let ticker: NodeJS.Timeout | undefined;
    const wake = () => {
      clearTimeout(ticker);
      tick();
      if (finished) return;
      const now = performance.now() - t0;
      let due = (series.length + 1) * 1000;
      if (!next.done) due = Math.min(due, next.value);
      if (holdState === 'ramp') due = Math.min(due, holdNext < holdTimes.length ? holdTimes[holdNext]! : holdEndsAt);
      ticker = setTimeout(wake, Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil(due - now))));
    };
    opts.signal?.addEventListener('abort', wake, { once: true });
    wake();
  });

  const summaryOf = (timings: TimingRecorders): LoadTimings => {
    const out: LoadTimings = {};
    for (const name of TIMING_NAMES) {
      const s = timings[name].summary();
      if (s) out[name] = s;
      timings[name].destroy();
    }
    return out;
  };
  const setResults = [...sets.values()].map(({ result, response, timings }) => {
    const summary = response.summary();
    response.destroy();
    return { ...result, ...(summary ? { response: summary } : {}), timings: summaryOf(timings) };
  });
  const stages = plan.stages;
  const result: LoadResult = {
    model: hold ? (stages.length > 0 ? 'arrival-rate+connections' : 'connections') : 'arrival-rate',
    stages,
    scheduled: scheduledCount(stages, share) + shareOf(holdTimes.length, share),
    attempts,
    skippedMaxInFlight: skipped,
    upgrades,
    unexpected,
    outcomes,
    handshake: handshake.summary(),
    handshakeSinceSend: sinceSend.summary(),
    connect: connect.summary(),
    ...(holder ? { held: holder.result(shareOf(hold!.count, share)) } : {}),
    sets: setResults,
    series: lastSecond(series, current, inFlight, holder, hold),
    durationMs: Math.round(performance.now() - t0),
    ...(beganLateMs !== undefined ? { startLateMs: Math.round(beganLateMs * 1000) / 1000 } : {}),
    partial: stoppedBecause !== undefined,
    stoppedBecause,
    workers: 1,
    memory: { rssStartBytes, rssMaxBytes },
    generator: health.result(),
    ...(cutByShutdown > 0 ? { cutByShutdown } : {}),
    sourceAddresses: plan.sourceAddresses,
    ...(traces.length > 0 ? { traces: traces.map(traceOf) } : {}),
  };
  holder?.destroy();
  for (const r of [handshake, interval, sinceSend, connect]) r.destroy();
  return result;
}

/** The series with the second the load ended in, when anything happened in it (the held messages' last losses too). */
function lastSecond(
  series: LoadSecond[],
  current: LoadSecond,
  inFlight: number,
  holder: Holder | undefined,
  hold: HoldPlan | undefined,
): LoadSecond[] {
  if (holder && hold && hold.messageEveryMs > 0) Object.assign(current, holder.second());
  const any = current.attempts > 0 || current.dropped || current.echoes || current.lost;
  return any ? [...series, { ...current, open: inFlight }] : series;
}

function traceOf(t: Traced): WireTrace {
  return {
    ...t.tap.trace({
      phase: 'load',
      target: t.set.result.target,
      credential: t.set.result.credential,
      attempt: t.attempt,
      // A traced attempt still open when the run stopped never ended: what it was cut by is the run.
      outcome: t.outcome ?? 'closed_before_response',
    }),
    scheduledMs: Math.round(t.scheduledMs * 1000) / 1000,
  };
}
