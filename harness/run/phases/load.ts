import { runMeasured } from '../../load/measured.ts';
import { mergeSummaries } from '../../metrics/latency-recorder.ts';
import { latencyMetrics } from '../../model/metrics.ts';
import { emptyOutput, type Phase } from '../phase.ts';

/** The load phase, for `run` when the scenario has a `load:` block (plan/load.ts resolved it). */
export const loadPhase: Phase = {
  name: 'load',
  async run(ctx) {
    const { load: lp, spread } = ctx.plan.load!;
    ctx.events.loadStarted?.(lp, spread);
    const result = await runMeasured(lp, spread, {
      signal: ctx.signal,
      targetPids: (await ctx.targetProcesses?.()) ?? [],
      onSecond: (s, p95) => ctx.events.loadSecond?.(s, p95),
    });
    const out = emptyOutput();
    out.sections.load = result;
    const g = result.generator;
    if ((result.saturation.side === 'generator' || result.saturation.side === 'both') && lp.onSaturation !== 'warn') {
      // Numbers from a generator that fell behind describe the generator: they must not pass as the target's.
      out.fatal.push(`invalid run: the load generator was saturated (${result.saturation.reasons.join('; ')})`);
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
      ...(result.saturation.hostCpu !== undefined ? { 'host.cpu': result.saturation.hostCpu } : {}),
      ...(result.saturation.targetCpu !== undefined ? { 'target.cpu': result.saturation.targetCpu } : {}),
      ...latencyMetrics('handshake', result.handshake),
      ...latencyMetrics('connect', result.connect),
      ...latencyMetrics('tls', timing('tls')),
      ...latencyMetrics('status', timing('status')),
      ...(result.held
        ? {
            dropped: result.held.dropped,
            ...Object.fromEntries(Object.entries(result.held.dropCodes).map(([code, n]) => [`dropped.${code}`, n])),
            held_peak: result.held.peak,
            ...(lp.hold && lp.hold.messageEveryMs > 0
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
    if (result.stoppedBecause && !ctx.signal.aborted) {
      // What was measured up to the target's death is kept, marked partial.
      out.partialReason = `load stopped early: ${result.stoppedBecause}`;
      out.fatal.push(out.partialReason);
    }
    // Interrupted, the partial numbers are in the report; the line would only repeat them.
    if (!(result.partial && ctx.signal.aborted)) ctx.events.loadDone?.(result);
    return out;
  },
};
