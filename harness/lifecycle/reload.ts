import { runMeasured } from '../load/measured.ts';
import type { ReloadCheck, ReloadProcesses } from '../model/lifecycle.ts';
import type { LoadResult, Saturation } from '../model/load.ts';
import type { Outcome } from '../model/outcome.ts';
import { expectedOutcomes } from '../outcome/expected.ts';
import type { PlannedCredential } from '../plan/credentials.ts';
import type { LifecycleTarget, ReloadPlan } from '../plan/lifecycle.ts';
import type { LoadPlan } from '../plan/load.ts';
import { checkBase, type GatewayActions, judged, type LifecycleEnv, pause } from './context.ts';
import { RELOAD_EXPECTED } from './expected.ts';
import { notRunReload } from './not-run.ts';
import { outcomeWords, round } from './timeline.ts';

/** Held connections close this long after the processes were looked at. */
const TAIL_MS = 1000;
/** How long old processes get to leave once their last session closed. */
const LINGER_MS = 3000;
/** A drop this close before the drain deadline may already be the deadline's (the series is per second). */
const DEADLINE_SLACK_MS = 250;

/** The load of a reload check: held connections exchanging messages and arrivals, through one target. */
export function reloadLoad(t: LifecycleTarget, credential: PlannedCredential, plan: ReloadPlan): LoadPlan {
  const holdMs = plan.atMs + plan.observeMs + TAIL_MS;
  return {
    stages:
      plan.arrivalRate > 0
        ? [{ fromRate: plan.arrivalRate, toRate: plan.arrivalRate, durationMs: plan.rampUpMs + holdMs }]
        : [],
    targets: [t.target],
    mix: [{ cred: credential, weight: 1, expected: new Map([[t.target.name, expectedOutcomes(t.target, 200)]]) }],
    maxInFlight: plan.maxInFlight,
    hold: {
      count: plan.connections,
      rampUpMs: plan.rampUpMs,
      holdMs,
      messageEveryMs: plan.messageEveryMs,
      messageBytes: 32,
      messageTimeoutMs: 5000,
    },
    sourceAddresses: [],
    onSaturation: 'warn',
  };
}

/**
 * Reload under load on one target: held connections exchanging messages plus arrivals (the load
 * engine, with its generator health and saturation verdict), the target's reload at `atMs` after
 * the ramp, its processes looked at before, after and at the end of the observation.
 */
export async function runReload(
  t: LifecycleTarget,
  credential: PlannedCredential,
  plan: ReloadPlan,
  actions: GatewayActions | undefined,
  env: LifecycleEnv,
): Promise<ReloadCheck> {
  if (!actions?.reload)
    return notRunReload(t, `no reload for ${t.target.name}: add lifecycle.gatewayHooks.${t.target.name}.reload`);
  const startedAt = performance.now();
  const reloadAtMs = plan.rampUpMs + plan.atMs;
  const reload: {
    startedAtEpoch?: number;
    readyMs?: number;
    error?: string;
    processes?: ReloadProcesses;
    old?: number[];
  } = {};
  let loadStartEpoch: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const doReload = async () => {
    const before = (await actions.processIds?.().catch(() => [])) ?? [];
    reload.startedAtEpoch = Date.now();
    const t0 = performance.now();
    try {
      await actions.reload!();
      reload.readyMs = round(performance.now() - t0);
    } catch (err) {
      reload.error = (err as Error).message;
      return;
    }
    const after = (await actions.processIds?.().catch(() => [])) ?? [];
    const started = after.filter((p) => !before.includes(p));
    // The master (first) keeps its PID across a reload; only when new processes started are the others old ones.
    reload.old = started.length > 0 ? before.slice(1) : [];
    const sampleIn = Math.max(0, plan.observeMs - (Date.now() - reload.startedAtEpoch));
    await pause(sampleIn, env.signal);
    const now = (await actions.processIds?.().catch(() => [])) ?? [];
    reload.processes = {
      before: before.length,
      started: started.length,
      oldAlive: reload.old.filter((p) => now.includes(p)).length,
      oldLingering: 0,
      ...(t.drainDeadlineMs !== undefined ? { drainDeadlineMs: t.drainDeadlineMs } : {}),
      sampledAfterMs: Date.now() - reload.startedAtEpoch,
    };
  };
  let reloading: Promise<void> | undefined;
  const result = await runMeasured(reloadLoad(t, credential, plan), plan.spread, {
    signal: env.signal,
    targetPids: (await env.targetPids?.()) ?? [],
    onSecond: (s) => {
      if (loadStartEpoch !== undefined) return;
      // The engine's clock started (s.t + 1) seconds ago: the reload is due reloadAtMs after that.
      loadStartEpoch = Date.now() - (s.t + 1) * 1000;
      const due = Math.max(0, loadStartEpoch + reloadAtMs - Date.now());
      timer = setTimeout(() => {
        if (!env.signal.aborted) reloading = doReload();
      }, due);
    },
  });
  clearTimeout(timer);
  await reloading;
  if (reload.processes && reload.processes.oldAlive > 0 && actions.processIds) {
    // The held sessions are closed now: old processes must leave (bounded wait).
    const old = reload.old ?? [];
    let now: number[] = [];
    const deadline = performance.now() + LINGER_MS;
    for (;;) {
      now = await actions.processIds().catch(() => []);
      if (!old.some((p) => now.includes(p)) || performance.now() >= deadline || env.signal.aborted) break;
      await pause(100, env.signal);
    }
    reload.processes.oldLingering = old.filter((p) => now.includes(p)).length;
  }
  return judgeReload(t, plan, actions, result, reload, loadStartEpoch, startedAt);
}

function judgeReload(
  t: LifecycleTarget,
  plan: ReloadPlan,
  actions: GatewayActions,
  r: LoadResult & { saturation: Saturation },
  reload: { startedAtEpoch?: number; readyMs?: number; error?: string; processes?: ReloadProcesses },
  loadStartEpoch: number | undefined,
  startedAt: number,
): ReloadCheck {
  const held = r.held;
  const reloadAtMs =
    reload.startedAtEpoch !== undefined && loadStartEpoch !== undefined
      ? reload.startedAtEpoch - loadStartEpoch
      : plan.rampUpMs + plan.atMs;
  const deadline = t.drainDeadlineMs;
  const drops = r.series.filter((s) => (s.dropped ?? 0) > 0).map((s) => ({ atMs: s.t * 1000, dropped: s.dropped! }));
  const atDeadline = (atMs: number) =>
    deadline !== undefined && atMs + 1000 >= reloadAtMs + deadline - DEADLINE_SLACK_MS && atMs >= reloadAtMs;
  const cutAtDeadline = drops.filter((d) => atDeadline(d.atMs)).reduce((n, d) => n + d.dropped, 0);
  const dropped = (held?.dropped ?? 0) - cutAtDeadline;
  const failedByOutcome: Partial<Record<Outcome, number>> = { ...r.outcomes };
  delete failedByOutcome.upgraded;
  // From the outcomes, not attempts minus upgrades: attempts cut by the run's own stop are neither.
  const failedUpgrades = Object.values(failedByOutcome).reduce<number>((n, k) => n + (k ?? 0), 0);
  const failures: string[] = [];
  const findings: string[] = [];
  const reloadSecond = Math.floor(reloadAtMs / 1000);
  const dropsBySecond = drops.map((d) => ({ second: d.atMs / 1000 - reloadSecond, dropped: d.dropped }));
  const codes = Object.entries(held?.dropCodes ?? {})
    .map(([c, n]) => `${c} × ${n}`)
    .join(', ');
  if (reload.error) failures.push(`the reload failed: ${reload.error}`);
  else if (reload.startedAtEpoch === undefined) failures.push('the reload did not happen (the run stopped first)');
  if (dropped > 0) {
    const when = dropsBySecond
      .filter((d) => !atDeadline((d.second + reloadSecond) * 1000))
      .map((d) => `${d.dropped} in second ${d.second >= 0 ? '+' : ''}${d.second}`)
      .join(', ');
    failures.push(`${dropped} of ${held?.opened ?? 0} held sessions dropped (${codes}; ${when} of the reload)`);
  }
  if (failedUpgrades > 0)
    failures.push(`${failedUpgrades} of ${r.attempts} upgrades failed (${outcomeWords(failedByOutcome)})`);
  const p = reload.processes;
  if (p && p.oldLingering > 0)
    failures.push(`${p.oldLingering} old process(es) still alive ${LINGER_MS / 1000} s after their sessions closed`);
  else if (p && p.oldAlive > 0) {
    const after = `${(p.sampledAfterMs / 1000).toFixed(1)} s after the reload`;
    if (deadline !== undefined && p.sampledAfterMs > deadline)
      failures.push(`${p.oldAlive} old process(es) still alive ${after}, past their drain deadline`);
    else if (deadline === undefined)
      findings.push(`${p.oldAlive} old process(es) still serving held sessions ${after}, with no drain deadline`);
  }
  if (cutAtDeadline > 0)
    findings.push(
      `${cutAtDeadline} held sessions cut at the drain deadline, ${(deadline ?? 0) / 1000} s after the reload`,
    );
  if (held && held.echoFailed > 0)
    failures.push(`${held.echoFailed} of ${held.messages} messages were not echoed in time`);
  const observed = [
    reload.readyMs !== undefined ? `new configuration served after ${reload.readyMs.toFixed(0)} ms` : 'no reload',
    `${held?.opened ?? 0} held: ${dropped} dropped` +
      `${cutAtDeadline ? `, ${cutAtDeadline} cut at the drain deadline` : ''}`,
    `${held?.echoes ?? 0} of ${held?.messages ?? 0} messages echoed`,
    `${r.upgrades} of ${r.attempts} upgrades`,
    p
      ? `processes ${p.before} before, ${p.started} started, ${p.oldAlive} old alive at ` +
        `${(p.sampledAfterMs / 1000).toFixed(1)} s` +
        `${p.oldLingering ? `, ${p.oldLingering} lingering` : ''}`
      : undefined,
  ].filter(Boolean);
  const timeline = {
    bucketMs: 1000,
    t: r.series.map((s) => s.t),
    series: [
      { label: 'held + in flight', values: r.series.map((s) => s.open), right: true },
      { label: 'upgrades/s', values: r.series.map((s) => s.upgrades) },
      { label: 'errors/s', values: r.series.map((s) => s.errors) },
      { label: 'dropped', values: r.series.map((s) => s.dropped ?? 0) },
    ],
    marks: [
      { t: round(reloadAtMs / 1000), label: 'reload' },
      ...(reload.readyMs !== undefined
        ? [{ t: round((reloadAtMs + reload.readyMs) / 1000), label: 'new config serves' }]
        : []),
      ...(deadline !== undefined && deadline <= plan.observeMs
        ? [{ t: round((reloadAtMs + deadline) / 1000), label: 'drain deadline' }]
        : []),
    ],
  };
  return {
    check: 'reload',
    ...checkBase(t, startedAt),
    ...judged(t.target.name, plan.tolerate, failures, findings),
    expected: RELOAD_EXPECTED,
    observed: observed.join('; '),
    action: actions.describe.reload ?? 'reload',
    held: held?.opened ?? 0,
    messages: held?.messages ?? 0,
    echoes: held?.echoes ?? 0,
    attempts: r.attempts,
    upgrades: r.upgrades,
    failedUpgrades,
    failedByOutcome,
    reloadAtMs: Math.round(reloadAtMs),
    ...(reload.readyMs !== undefined ? { readyMs: reload.readyMs } : {}),
    dropped,
    dropCodes: held?.dropCodes ?? {},
    dropsBySecond,
    cutAtDeadline,
    ...(p ? { processes: p } : {}),
    saturation: r.saturation,
    timeline,
  };
}
