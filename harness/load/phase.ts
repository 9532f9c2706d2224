import { CliError, EXIT_INVALID } from '../cli/exit-codes.ts';
import { expectedOutcomes } from '../check/conformance.ts';
import { gatewayTargets, type Plan } from '../plan/plan.ts';
import type { Phase } from '../run/phases.ts';
import { stagesOf } from './arrival-schedule.ts';
import { runLoad, type LoadPlan } from './engine.ts';

const DEFAULT_MAX_IN_FLIGHT = 5000;
/** Descriptors one process may hold here, less what Node and the fixtures need. */
const FD_BUDGET = 18_000;

/** The `load:` block resolved against the plan; invalid names are exit 2 with file:line:col. */
export function loadPlan(plan: Plan): LoadPlan {
  const block = plan.scenario.doc.load!;
  const where = (path: Array<string | number>) => plan.scenario.where(['load', ...path]);
  const stages = block.arrivalRate.map((s, i) => {
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
  const maxInFlight = block.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (maxInFlight > FD_BUDGET) {
    throw new CliError(`${where(['maxInFlight'])}: ${maxInFlight} open attempts need as many descriptors; one process may hold ${FD_BUDGET} here (ulimit -n 20000, not raisable): lower maxInFlight`, EXIT_INVALID);
  }
  return { stages, targets, mix, maxInFlight };
}

/** The load phase, for `run` when the scenario has a `load:` block. */
export const loadPhase: Phase = {
  name: 'load',
  metrics: /^(handshake|connect)\.|^(attempts|upgrades|errors|upgrade_rate|error_rate|attempt_rate)$/,
  enabled(plan, command) {
    if (command !== 'run' || plan.scenario.doc.load === undefined) return false;
    loadPlan(plan);
    return true;
  },
  async run(ctx) {
    const lp = loadPlan(ctx.plan);
    const { log } = ctx;
    log.info(`load: ${lp.stages.map((s) => (s.fromRate === s.toRate ? `${s.fromRate}/s` : `${s.fromRate}->${s.toRate}/s`) + ` for ${s.durationMs / 1000}s`).join(', ')} through ${lp.targets.map((t) => t.name).join(', ')}; mix ${lp.mix.map((m) => `${m.cred.name}:${m.weight}`).join(' ')}`);
    const result = await runLoad(lp, {
      signal: ctx.signal,
      onSecond: (s, p95) => log.info(`  load ${String(s.t + 1).padStart(3)}s  ${s.attempts} attempts/s  ${s.upgrades} upgrades/s  open ${s.open}  errors ${s.errors}${p95 !== undefined ? `  p95 ${p95.toFixed(2)} ms` : ''}`),
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
    for (const [name, summary] of [['handshake', result.handshake], ['connect', result.connect]] as const) {
      if (!summary) continue;
      for (const p of ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const) m[`${name}.${p}`] = summary[p];
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
    log.info(`load: ${result.attempts} attempts, ${result.upgrades} upgraded, ${result.unexpected} unexpected${result.handshake ? `, handshake p50 ${result.handshake.p50} ms p95 ${result.handshake.p95} ms p99 ${result.handshake.p99} ms (from scheduled start)` : ''}`);
  },
};
