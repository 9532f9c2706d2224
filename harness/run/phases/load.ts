import { isIP } from 'node:net';
import { CliError, EXIT_INVALID } from '../../cli/exit-codes.ts';
import { expectedOutcomes } from '../../conformance/conformance.ts';
import type { LatencySummary } from '../../metrics/latency-recorder.ts';
import { gatewayTargets, type Plan } from '../../plan/plan.ts';
import type { Phase } from '../phase.ts';
import { parseDuration } from '../../scenario/duration.ts';
import { stagesOf } from '../../plan/arrival-schedule.ts';
import { CapacityError, planCapacity, type CapacityPlan } from '../../plan/capacity.ts';
import type { LoadPlan } from '../../load/engine.ts';
import { runDistributed } from '../../load/workers.ts';

const DEFAULT_MAX_IN_FLIGHT = 5000;

/** The `load:` block resolved against the plan and checked against this host; problems are exit 2 with file:line:col. */
export function loadPlan(plan: Plan): { load: LoadPlan; capacity: CapacityPlan } {
  const block = plan.scenario.doc.load!;
  const where = (path: Array<string | number>) => plan.scenario.where(['load', ...path]);
  if (!block.arrivalRate && !block.connections) throw new CliError(`${where([])}: give arrivalRate stages, connections to hold, or both`, EXIT_INVALID);
  const stages = (block.arrivalRate ?? []).map((s, i) => {
    if ((s.rate === undefined) === (s.from === undefined || s.to === undefined)) {
      throw new CliError(`${where(['arrivalRate', i])}: give either rate, or from and to`, EXIT_INVALID);
    }
    return stagesOf([s])[0]!;
  });
  const targets = block.targets
    ? block.targets.map((name, i) => {
        const t = gatewayTargets(plan).find((x) => x.name === name);
        if (!t) throw new CliError(`${where(['targets', i])}: no gateway target is named "${name}" (known: ${gatewayTargets(plan).map((x) => x.name).join(', ')})`, EXIT_INVALID);
        return t;
      })
    : gatewayTargets(plan);
  for (const name of Object.keys(block.mix ?? {})) {
    if (!plan.credentials.some((c) => c.name === name)) throw new CliError(`${where(['mix', name])}: no credential set is named "${name}" (known: ${plan.credentials.map((c) => c.name).join(', ')})`, EXIT_INVALID);
  }
  const mix = plan.credentials
    .filter((c) => c.authState === 'ok')
    .map((cred) => ({ cred, weight: block.mix ? (block.mix[cred.name] ?? 0) : cred.weight, expected: new Map(targets.map((t) => [t.name, expectedOutcomes(t, cred.expect)])) }))
    .filter((m) => m.weight > 0);
  if (mix.length === 0) throw new CliError(`${where(block.mix ? ['mix'] : [])}: no credential set to draw (sets needing an auth fault state are never drawn)`, EXIT_INVALID);
  const c = block.connections;
  if (c && !mix.some((m) => targets.every((t) => m.expected.get(t.name)!.includes('upgraded')))) {
    throw new CliError(`${where(['connections'])}: no credential set in the mix is expected to upgrade on every load target, so there is nothing to hold`, EXIT_INVALID);
  }
  (block.sourceAddresses ?? []).forEach((a, i) => {
    if (isIP(a) === 0) throw new CliError(`${where(['sourceAddresses', i])}: "${a}" is not an IP address`, EXIT_INVALID);
  });
  const hold = c && {
    count: c.count,
    rampUpMs: parseDuration(c.rampUp ?? '10s'),
    holdMs: parseDuration(c.hold),
    messageEveryMs: parseDuration(c.messageEvery ?? '5s'),
    messageBytes: c.messageBytes ?? 32,
    messageTimeoutMs: parseDuration(c.messageTimeout ?? '5s'),
  };
  const maxInFlight = block.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let capacity: CapacityPlan;
  try {
    capacity = planCapacity({
      held: hold?.count ?? 0,
      maxInFlight,
      workers: block.workers,
      sourceAddresses: block.sourceAddresses,
      destinations: targets.map((t) => ({ key: `${t.host}:${t.port}`, loopback4: /^127\./.test(t.host) || t.host === 'localhost' })),
    });
  } catch (err) {
    if (!(err instanceof CapacityError)) throw err;
    const field = err.field === 'connections' ? (hold ? ['connections', 'count'] : ['maxInFlight']) : [err.field];
    throw new CliError(`${where(field)}: ${err.message}`, EXIT_INVALID);
  }
  return { load: { stages, targets, mix, maxInFlight, ...(hold ? { hold } : {}), sourceAddresses: [] }, capacity };
}

const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;

/** The load phase, for `run` when the scenario has a `load:` block. */
export const loadPhase: Phase = {
  name: 'load',
  metrics: /^(handshake|connect|tls|status|upgrade|first_echo|message_rtt)\.|^(attempts|upgrades|errors|dropped|held_peak|upgrade_rate|error_rate|attempt_rate)$/,
  enabled(plan, command) {
    if (command !== 'run' || plan.scenario.doc.load === undefined) return false;
    loadPlan(plan);
    return true;
  },
  async run(ctx) {
    const { load: lp, capacity } = loadPlan(ctx.plan);
    const { log } = ctx;
    const parts = [
      lp.stages.length > 0 ? lp.stages.map((s) => (s.fromRate === s.toRate ? `${s.fromRate}/s` : `${s.fromRate}->${s.toRate}/s`) + ` for ${s.durationMs / 1000}s`).join(', ') : undefined,
      lp.hold ? `${lp.hold.count} held connections (ramp ${lp.hold.rampUpMs / 1000}s, hold ${lp.hold.holdMs / 1000}s)` : undefined,
    ].filter(Boolean);
    const sources = [...new Set(capacity.sourceAddresses.flat())];
    log.info(`load: ${parts.join(' + ')} through ${lp.targets.map((t) => t.name).join(', ')}; mix ${lp.mix.map((m) => `${m.cred.name}:${m.weight}`).join(' ')}; ${capacity.workers} worker process(es)${sources.length > 0 ? `, from ${sources.join(' ')}` : ''}`);
    const result = await runDistributed(lp, capacity, {
      signal: ctx.signal,
      onSecond: (s, p95) => log.progress(`  load ${String(s.t + 1).padStart(4)}s  ${String(s.attempts).padStart(6)} attempts/s  ${String(s.upgrades).padStart(6)} upgrades/s  open ${String(s.open).padStart(6)}  errors ${s.errors}${s.dropped ? `  dropped ${s.dropped}` : ''}${p95 !== undefined ? `  p95 ${p95.toFixed(2)} ms` : ''}`),
    });
    ctx.summary.load = result;
    const m = ctx.summary.metrics;
    const seconds = result.durationMs / 1000;
    m.attempts = result.attempts;
    m.upgrades = result.upgrades;
    m.errors = result.series.reduce((n, s) => n + s.errors, 0);
    m.attempt_rate = result.attempts / seconds;
    m.upgrade_rate = result.upgrades / seconds;
    m.error_rate = result.attempts ? m.errors / result.attempts : 0;
    m.unexpected_outcomes = (m.unexpected_outcomes ?? 0) + result.unexpected;
    const metric = (name: string, summary: LatencySummary | undefined) => {
      if (summary) for (const p of PERCENTILES) m[`${name}.${p}`] = summary[p];
    };
    metric('handshake', result.handshake);
    metric('connect', result.connect);
    if (result.held) {
      m.dropped = result.held.dropped;
      m.held_peak = result.held.peak;
      metric('first_echo', result.held.firstEcho);
      metric('message_rtt', result.held.messageRtt);
    }
    for (const s of result.sets) {
      if (s.unexpected > 0) ctx.failures.push(`load ${s.target} / ${s.credential}: ${s.unexpected} of ${s.attempts} attempts were not ${s.expected.join(' or ')} (${Object.entries(s.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')})`);
    }
    if (result.stoppedBecause && !ctx.signal.aborted) {
      // What was measured up to the target's death is kept, marked partial.
      ctx.summary.partial = true;
      ctx.summary.partialReason = `load stopped early: ${result.stoppedBecause}`;
      ctx.fatal.push(ctx.summary.partialReason);
    }
    if (result.partial && ctx.signal.aborted) return;
    const h = result.held;
    log.info(
      `load: ${result.attempts} attempts, ${result.upgrades} upgraded, ${result.unexpected} unexpected${result.handshake ? `, handshake p50 ${result.handshake.p50} ms p95 ${result.handshake.p95} ms p99 ${result.handshake.p99} ms (from scheduled start)` : ''}` +
        (h ? `; held ${h.peak} of ${h.target} at peak, ${h.dropped} dropped, ${h.echoes}/${h.messages} echoes${h.messageRtt ? ` (p95 ${h.messageRtt.p95} ms)` : ''}` : ''),
    );
  },
};
