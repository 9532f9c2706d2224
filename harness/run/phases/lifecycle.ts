import { authLeverFor } from '../../client/auth-lever.ts';
import { runHook } from '../../client/hook.ts';
import { type GatewayActions, runLifecycle } from '../../lifecycle/lifecycle.ts';
import type { LifecycleCheckResult, LifecycleResult } from '../../model/lifecycle.ts';
import type { MetricValues } from '../../model/metrics.ts';
import { jwtKeys, planCredential } from '../../plan/credentials.ts';
import type { LifecycleTarget } from '../../plan/lifecycle.ts';
import { Problems } from '../../plan/problems.ts';
import { emptyOutput, type FixtureGatewayControl, type Phase } from '../phase.ts';

/** The lifecycle phase, for `run` when the scenario has a `lifecycle:` block (plan/lifecycle.ts resolved it). */
export const lifecyclePhase: Phase = {
  name: 'lifecycle',
  async run(ctx) {
    const plan = ctx.plan.lifecycle!;
    ctx.events.lifecycleStarted?.(plan);
    const scenario = ctx.plan.scenario;
    const expiring = plan.credentials?.expiring;
    const mintExpiring = expiring
      ? async () => {
          const keys = await jwtKeys(scenario, new Problems(scenario));
          return planCredential(scenario, expiring.index, keys.get(expiring.index), expiring.lifetimeMs);
        }
      : undefined;
    const run = await runLifecycle(plan, {
      actions: Object.fromEntries(plan.targets.map((t) => [t.target.name, actionsFor(t, ctx.fixtureGateways)])),
      lever: authLeverFor(scenario.doc, ctx.plan.fixtureUrls),
      ...(mintExpiring ? { mintExpiring } : {}),
      signal: ctx.signal,
      onCheck: (r) => ctx.events.lifecycleChecked?.(r),
      ...(ctx.targetProcesses ? { targetPids: ctx.targetProcesses } : {}),
    });
    const out = emptyOutput();
    out.sections.lifecycle = run.result;
    out.metrics = lifecycleMetrics(run.result);
    for (const c of run.result.checks)
      if (c.status === 'failed') out.failures.push(`lifecycle ${c.check} ${c.target}: ${c.reasons.join('; ')}`);
    if (plan.onSaturation === 'fail') {
      for (const s of run.saturations) {
        if (s.saturation.side !== 'generator' && s.saturation.side !== 'both') continue;
        // As in the load phase: numbers from a generator that fell behind describe the generator.
        out.fatal.push(
          `invalid run: the load generator was saturated during lifecycle ${s.check}` +
            `${s.target ? ` of ${s.target}` : ''} (${s.saturation.reasons.join('; ')})`,
        );
      }
    }
    return out;
  },
};

/** What reloads and restarts one target: its fixture (when wsgate started it), or the scenario's hooks. */
function actionsFor(
  t: LifecycleTarget,
  fixtures: Readonly<Record<string, FixtureGatewayControl>> | undefined,
): GatewayActions {
  const fixture = t.gateway ? fixtures?.[t.gateway] : undefined;
  const hooks = t.hooks ?? {};
  return {
    describe: {
      ...(fixture ? { reload: `${t.gateway} fixture: ${fixture.reloadHow}` } : {}),
      ...(fixture ? { restart: `${t.gateway} fixture: stopped and started on its port` } : {}),
      ...(hooks.reload ? { reload: `hook: ${hooks.reload}` } : {}),
      ...(hooks.restart ? { restart: `hook: ${hooks.restart}` } : {}),
    },
    ...(hooks.reload
      ? { reload: () => runHook(`reload of ${t.target.name}`, hooks.reload!, { WSGATE_TARGET: t.target.name }) }
      : fixture
        ? { reload: () => fixture.reload() }
        : {}),
    ...(hooks.restart
      ? { restart: () => runHook(`restart of ${t.target.name}`, hooks.restart!, { WSGATE_TARGET: t.target.name }) }
      : fixture
        ? { restart: () => fixture.restart() }
        : {}),
    ...(fixture ? { processIds: () => fixture.processIds() } : {}),
  };
}

/** The lifecycle metrics (model/metrics.ts): counts summed over targets, times of the slowest target. */
export function lifecycleMetrics(r: LifecycleResult): MetricValues {
  const of = <C extends LifecycleCheckResult['check']>(...names: C[]) =>
    r.checks.filter(
      (c): c is Extract<LifecycleCheckResult, { check: C }> => names.includes(c.check as C) && c.status !== 'not_run',
    );
  const sum = (xs: number[]) => xs.reduce((n, x) => n + x, 0);
  const max = (xs: Array<number | undefined>) => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length > 0 ? Math.max(...v) : undefined;
  };
  const m: MetricValues = {
    'lifecycle.failed': r.failed,
    'lifecycle.findings': r.findings,
  };
  const idle = of('idle');
  if (idle.length > 0) {
    m['idle.dropped_before'] = sum(idle.flatMap((c) => c.groups.map((g) => g.droppedBefore)));
    m['idle.dropped'] = sum(idle.flatMap((c) => c.groups.map((g) => g.ends.count)));
  }
  const reload = of('reload');
  if (reload.length > 0) {
    m['reload.dropped'] = sum(reload.map((c) => c.dropped));
    m['reload.cut_at_deadline'] = sum(reload.map((c) => c.cutAtDeadline));
    m['reload.failed_upgrades'] = sum(reload.map((c) => c.failedUpgrades));
    m['reload.old_processes'] = sum(
      reload.map((c) => {
        const p = c.processes;
        if (!p) return 0;
        const pastDeadline = p.drainDeadlineMs !== undefined && p.sampledAfterMs > p.drainDeadlineMs;
        return Math.max(p.oldLingering, pastDeadline ? p.oldAlive : 0);
      }),
    );
    const ready = max(reload.map((c) => c.readyMs));
    if (ready !== undefined) m['reload.ready'] = ready;
  }
  const restart = of('restart');
  if (restart.length > 0) {
    m['restart.not_back'] = sum(restart.map((c) => c.notBack));
    m['restart.failed_upgrades'] = sum(restart.map((c) => c.failedUpgrades));
    const b99 = max(restart.map((c) => c.back99Ms));
    const b100 = max(restart.map((c) => c.back100Ms));
    if (b99 !== undefined) m['restart.back_99'] = b99;
    if (b100 !== undefined) m['restart.back_100'] = b100;
    const peak = max(restart.map((c) => c.auth?.peakPerSecond));
    if (peak !== undefined) m['restart.auth_peak'] = peak;
  }
  const creds = of('credential-expiry', 'credential-revocation');
  if (creds.length > 0) {
    m['credentials.outlived'] = sum(creds.map((c) => c.outlived));
    m['credentials.reconnect_allowed'] = creds.filter((c) => c.reconnect?.allowed).length;
  }
  const pressure = of('auth-pressure');
  if (pressure.length > 0) m['auth_pressure.fail_open'] = sum(pressure.map((c) => c.failOpen));
  return m;
}
