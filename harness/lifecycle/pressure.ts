import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { runMeasured } from '../load/measured.ts';
import type { LatencySummary } from '../model/histogram.ts';
import type { PressureCheck, PressureStep } from '../model/lifecycle.ts';
import type { LoadResult, Saturation } from '../model/load.ts';
import type { Outcome } from '../model/outcome.ts';
import { expectedOutcomes } from '../outcome/expected.ts';
import type { AuthPressurePlan, LifecycleTarget } from '../plan/lifecycle.ts';
import type { LoadPlan } from '../plan/load.ts';
import { checkBase, judged, type LifecycleEnv } from './context.ts';
import { PRESSURE_EXPECTED } from './expected.ts';
import { notRunPressure } from './not-run.ts';
import { outcomeWords, round } from './timeline.ts';

/** An upgrade this much faster than the auth service's delay cannot have waited for its answer. */
const UNWAITED_MARGIN = 0.95;

/** The load of one step: the allowed and the denied set, alternating, through every target in turn. */
function stepLoad(targets: readonly LifecycleTarget[], plan: AuthPressurePlan): LoadPlan {
  const sets = [plan.allowed, ...(plan.denied ? [plan.denied] : [])];
  const rate = plan.rate * targets.length;
  return {
    stages: [{ fromRate: rate, toRate: rate, durationMs: plan.stepMs }],
    targets: targets.map((t) => t.target),
    // The sets alternate and each rotates over the targets: `rate` upgrades per target, half of each set.
    mix: sets.map((cred) => ({
      cred,
      weight: 1,
      expected: new Map(targets.map((t) => [t.target.name, expectedOutcomes(t.target, cred.expect)])),
    })),
    maxInFlight: 5000,
    sourceAddresses: [],
    onSaturation: 'warn',
  };
}

/**
 * Auth call timing under pressure, on every target at once: for each delay of the ladder the auth
 * service answers only after it (its slow state) while upgrades arrive at `rate` per target per
 * set (the load engine, with its saturation verdict). Per step and target: what the allowed set
 * got, the fastest upgrade (one faster than the delay did not wait for the auth answer), and the
 * denied set's outcomes (any upgrade is fail-open). The auth service is restored at the end.
 */
export async function runAuthPressure(
  targets: readonly LifecycleTarget[],
  plan: AuthPressurePlan,
  env: LifecycleEnv,
): Promise<{ checks: PressureCheck[]; saturations: Saturation[] }> {
  if (!env.lever.canDelay)
    return {
      checks: targets.map((t) =>
        notRunPressure(
          t,
          plan,
          'nothing can slow the auth service: give authService.control (the bundled auth service) or ' +
            'lifecycle.authHooks.delay',
        ),
      ),
      saturations: [],
    };
  const startedAt = performance.now();
  const steps: Array<{ delayMs: number; startedAt: number; result: LoadResult & { saturation: Saturation } }> = [];
  let error: string | undefined;
  try {
    for (const delayMs of plan.ladderMs) {
      if (env.signal.aborted) break;
      await env.lever.delay(delayMs);
      const at = performance.now();
      const result = await runMeasured(stepLoad(targets, plan), plan.spread, {
        signal: env.signal,
        targetPids: (await env.targetPids?.()) ?? [],
      });
      steps.push({ delayMs, startedAt: at, result });
    }
  } catch (err) {
    error = (err as Error).message;
  } finally {
    await env.lever.delay(0).catch((err: Error) => {
      error ??= `restoring the auth service failed: ${err.message}`;
    });
  }
  const checks = targets.map((t) => judge(t, plan, steps, startedAt, error));
  return { checks, saturations: steps.map((s) => s.result.saturation) };
}

/** Upgrades in `s` faster than `ms` (HDR bisection over the percentiles: within the histogram's precision). */
export function countBelow(s: LatencySummary | undefined, ms: number): number {
  if (!s || s.min >= ms) return 0;
  if (s.max < ms) return s.count;
  const h = decodeFromCompressedBase64(s.histogram.base64, 32, false);
  try {
    let lo = 0;
    let hi = 100;
    for (let i = 0; i < 30; i++) {
      const mid = (lo + hi) / 2;
      if (h.getValueAtPercentile(mid) / 1000 < ms) lo = mid;
      else hi = mid;
    }
    return Math.max(1, Math.round((lo / 100) * s.count));
  } finally {
    h.destroy();
  }
}

function judge(
  t: LifecycleTarget,
  plan: AuthPressurePlan,
  runs: ReadonlyArray<{ delayMs: number; startedAt: number; result: LoadResult & { saturation: Saturation } }>,
  startedAt: number,
  error: string | undefined,
): PressureCheck {
  const name = t.target.name;
  const steps: PressureStep[] = runs.map(({ delayMs, result }) => {
    const set = (cred: string) => result.sets.find((x) => x.target === name && x.credential === cred);
    const allowed = set(plan.allowed.name);
    const denied = plan.denied ? set(plan.denied.name) : undefined;
    const upgrade = allowed?.timings?.upgrade;
    const unwaited = countBelow(upgrade, delayMs * UNWAITED_MARGIN);
    return {
      delayMs,
      allowed: {
        attempts: allowed?.attempts ?? 0,
        outcomes: allowed?.outcomes ?? {},
        ...(upgrade ? { fastestUpgradeMs: upgrade.min } : {}),
      },
      ...(denied ? { denied: { attempts: denied.attempts, outcomes: denied.outcomes } } : {}),
      failOpen: denied?.outcomes.upgraded ?? 0,
      unwaited,
      saturation: result.saturation,
    };
  });
  const is5xx = (o: string) => /^http_5\d\d$/.test(o);
  const closedStep = steps.find((s) => Object.keys(s.allowed.outcomes).some(is5xx));
  const failsClosedWith: Partial<Record<Outcome, number>> = {};
  for (const [o, n] of Object.entries(closedStep?.allowed.outcomes ?? {}))
    if (o !== 'upgraded') failsClosedWith[o as Outcome] = n;
  const failOpen = steps.reduce((n, s) => n + s.failOpen, 0);
  const unwaited = steps.reduce((n, s) => n + s.unwaited, 0);
  const failures: string[] = [];
  const findings: string[] = [];
  if (error) failures.push(`the ladder could not be run: ${error}`);
  for (const s of steps)
    if (s.failOpen > 0)
      failures.push(
        `fail-open with the auth service at ${s.delayMs} ms: ${s.failOpen} upgrades of the denied set ` +
          `${plan.denied?.name}`,
      );
  const quick = steps.filter((s) => s.unwaited > 0);
  if (quick.length > 0) {
    const where = quick.map((s) => `${s.unwaited} at ${s.delayMs} ms, fastest ${s.allowed.fastestUpgradeMs} ms`);
    findings.push(
      `${unwaited} upgrades of ${plan.allowed.name} came faster than the auth service answered ` +
        `(${where.join('; ')}): ` +
        `${plan.denied ? 'the denied set never got in, so' : 'without a denied set to tell,'} a cache of allow ` +
        `decisions${plan.denied ? ' is the likely reason' : ' or fail-open'}`,
    );
  }
  const openedUpTo = steps.filter((s) => (s.allowed.outcomes.upgraded ?? 0) > 0).map((s) => s.delayMs);
  const observed = [
    openedUpTo.length > 0 ? `upgraded with the auth service at up to ${Math.max(...openedUpTo)} ms` : 'never upgraded',
    closedStep
      ? `fails closed from ${closedStep.delayMs} ms with ${outcomeWords(failsClosedWith)}`
      : `did not fail closed up to ${plan.ladderMs.at(-1)} ms`,
    `${failOpen} fail-open`,
    ...(unwaited > 0 ? [`${unwaited} did not wait for the auth service`] : []),
  ].join('; ');
  const timeline = {
    bucketMs: plan.stepMs,
    t: runs.map((r) => round((r.startedAt - startedAt) / 1000)),
    series: [
      { label: `${plan.allowed.name} upgraded`, values: steps.map((s) => s.allowed.outcomes.upgraded ?? 0) },
      {
        label: `${plan.allowed.name} refused 5xx`,
        values: steps.map((s) =>
          Object.entries(s.allowed.outcomes)
            .filter(([o]) => is5xx(o))
            .reduce((n, [, k]) => n + (k ?? 0), 0),
        ),
      },
      { label: 'fail-open', values: steps.map((s) => s.failOpen) },
      { label: 'did not wait', values: steps.map((s) => s.unwaited) },
    ],
    marks: runs.map((r) => ({ t: round((r.startedAt - startedAt) / 1000), label: `auth ${r.delayMs} ms` })),
  };
  return {
    check: 'auth-pressure',
    ...checkBase(t, startedAt),
    ...judged(name, plan.tolerate, failures, findings),
    expected: PRESSURE_EXPECTED,
    observed,
    rate: plan.rate,
    stepMs: plan.stepMs,
    steps,
    ...(closedStep ? { failsClosedAtMs: closedStep.delayMs } : {}),
    failsClosedWith,
    failOpen,
    unwaited,
    timeline,
  };
}
