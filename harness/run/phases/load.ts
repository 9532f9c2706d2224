import { runMeasured } from '../../load/measured.ts';
import { mergeSummaries } from '../../metrics/latency-recorder.ts';
import type { LoadResult } from '../../model/load.ts';
import { latencyMetrics } from '../../model/metrics.ts';
import { emptyOutput, type Phase, type PhaseOutput } from '../phase.ts';

/** The load phase, for `run` when the scenario has a `load:` block (plan/load.ts resolved it). */
export const loadPhase: Phase = {
  name: 'load',
  async run(ctx) {
    const { load: lp, spread } = ctx.plan.load!;
    ctx.events.loadStarted?.(lp, spread);
    if (ctx.startAt && ctx.startAt.getTime() > Date.now()) ctx.events.loadWaiting?.(ctx.startAt);
    const result = await runMeasured(lp, spread, {
      signal: ctx.signal,
      ...(ctx.startAt ? { startAtEpochMs: ctx.startAt.getTime() } : {}),
      targetPids: (await ctx.targetProcesses?.()) ?? [],
      onSecond: (s, p95) => ctx.events.loadSecond?.(s, p95),
    });
    const out = judgeLoad(result, {
      onSaturation: lp.onSaturation ?? 'fail',
      interrupted: ctx.signal.aborted,
      heldMessages: (lp.hold?.messageEveryMs ?? 0) > 0,
    });
    out.sections.load = result;
    // Interrupted, the partial numbers are in the report; the line would only repeat them.
    if (!(result.partial && ctx.signal.aborted)) ctx.events.loadDone?.(result);
    return out;
  },
};

/**
 * What a load result means for the run: its metrics, a failure per credential set with unexpected
 * outcomes, and what makes it not carried out (a saturated generator unless `warn`, a load that
 * stopped early on its own). `wsgate merge` judges merged segments with the same rule.
 */
export function judgeLoad(
  result: LoadResult,
  opts: {
    onSaturation: 'fail' | 'warn';
    interrupted: boolean;
    /** Held connections sent messages (default: some were sent): message loss is then measured. */
    heldMessages?: boolean;
  },
): PhaseOutput {
  const out = emptyOutput();
  const g = result.generator;
  const side = result.saturation?.side;
  if ((side === 'generator' || side === 'both') && opts.onSaturation !== 'warn') {
    // Numbers from a generator that fell behind describe the generator: they must not pass as the target's.
    out.fatal.push(`invalid run: the load generator was saturated (${result.saturation!.reasons.join('; ')})`);
  }
  const seconds = result.durationMs / 1000;
  const errors = result.series.reduce((n, s) => n + s.errors, 0);
  const timing = (name: 'tls' | 'status') => mergeSummaries(result.sets.map((s) => s.timings?.[name]));
  out.metrics = {
    attempts: result.attempts,
    upgrades: result.upgrades,
    errors,
    attempt_rate: result.attempts / seconds,
    upgrade_rate: result.upgrades / seconds,
    error_rate: result.attempts ? errors / result.attempts : 0,
    unexpected_outcomes: result.unexpected,
    ...(g
      ? {
          'generator.lag.p50': g.loopDelay.p50,
          'generator.lag.p99': g.loopDelay.p99,
          'generator.lag.max': g.loopDelay.max,
          ...latencyMetrics('generator.late', g.late),
          'generator.cpu': g.cpu.busiestShare,
        }
      : {}),
    ...(result.saturation?.hostCpu !== undefined ? { 'host.cpu': result.saturation.hostCpu } : {}),
    ...(result.saturation?.targetCpu !== undefined ? { 'target.cpu': result.saturation.targetCpu } : {}),
    ...latencyMetrics('handshake', result.handshake),
    ...latencyMetrics('connect', result.connect),
    ...latencyMetrics('tls', timing('tls')),
    ...latencyMetrics('status', timing('status')),
    ...(result.held
      ? {
          dropped: result.held.dropped,
          ...Object.fromEntries(Object.entries(result.held.dropCodes).map(([code, n]) => [`dropped.${code}`, n])),
          held_peak: result.held.peak,
          ...((opts.heldMessages ?? result.held.messages > 0)
            ? { 'session.lost': result.held.lost ?? 0, 'session.changed': result.held.changed ?? 0 }
            : {}),
          ...latencyMetrics('session.first_rtt', result.held.firstRtt),
          ...latencyMetrics('session.rtt', result.held.rtt),
        }
      : {}),
  };
  for (const s of result.sets) {
    if (s.unexpected === 0) continue;
    const outcomes = Object.entries(s.outcomes)
      .map(([o, n]) => `${o} ${n}`)
      .join(', ');
    out.failures.push(
      `load ${s.target} / ${s.credential}: ${s.unexpected} of ${s.attempts} attempts were not ` +
        `${s.expected.join(' or ')} (${outcomes})`,
    );
  }
  if (result.stoppedBecause && !opts.interrupted) {
    // What was measured up to the target's death is kept, marked partial. With the generator
    // saturated, its failures may be its own: the line must not blame the target alone.
    const stopped =
      side === 'generator' || side === 'both'
        ? `${result.stoppedBecause.replace(/: the target stopped answering$/, '')}, while the load generator was ` +
          "saturated: the failures may be its own as much as the target's"
        : result.stoppedBecause;
    out.partialReason = `load stopped early: ${stopped}`;
    out.fatal.push(out.partialReason);
  }
  return out;
}
