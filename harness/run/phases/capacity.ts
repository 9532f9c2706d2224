import { setTimeout as sleep } from 'node:timers/promises';
import { capacityVerdict, firstBad, judgeStep, lastGood, nextStep } from '../../load/capacity.ts';
import { runMeasured } from '../../load/measured.ts';
import type { CapacityResult, CapacityStep } from '../../model/capacity.ts';
import { emptyOutput, type Phase } from '../phase.ts';

/** Steps at most: enough for 50/s to 100,000/s by 1.1 with refining, and a bound on a runaway plan. */
const MAX_STEPS = 100;

/**
 * `wsgate capacity`: offer the arrival rate in steps (each a fresh load with its own health and
 * saturation verdict) until the target breaks a bound, the generator runs out or the highest rate
 * is reached, then close in between the last rate that held and the first that broke.
 */
export const capacityPhase: Phase = {
  name: 'capacity',
  async run(ctx) {
    const cp = ctx.plan.capacity!;
    const targets = cp.load.targets.map((t) => t.name);
    ctx.events.capacityStarted?.(cp);
    const pids = (await ctx.targetProcesses?.()) ?? [];
    const steps: CapacityStep[] = [];
    let stoppedBy: CapacityResult['stoppedBy'] = 'max_rate';
    for (let i = 0; i < MAX_STEPS; i++) {
      if (ctx.signal.aborted) {
        stoppedBy = 'interrupted';
        break;
      }
      const next = nextStep(steps, cp);
      if ('stop' in next) {
        stoppedBy = next.stop;
        break;
      }
      if (i > 0 && cp.settleMs > 0) await sleep(cp.settleMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      if (ctx.signal.aborted) {
        stoppedBy = 'interrupted';
        break;
      }
      const stage = { fromRate: next.rate, toRate: next.rate, durationMs: cp.stepMs };
      const result = await runMeasured({ ...cp.load, stages: [stage] }, cp.spread, {
        signal: ctx.signal,
        targetPids: pids,
        onSecond: (s, p95) => ctx.events.loadSecond?.(s, p95),
      });
      if (ctx.signal.aborted) {
        // A step cut short says nothing either way.
        stoppedBy = 'interrupted';
        break;
      }
      const step = judgeStep(next.rate, next.refining, result, cp);
      steps.push(step);
      ctx.events.capacityStep?.(step, steps.length - 1);
    }
    const sustainable = lastGood(steps);
    const brokenAt = firstBad(steps)?.rate;
    const capacity: CapacityResult = {
      targets,
      bounds: { p95Ms: cp.p95Ms, errorShare: cp.errorShare },
      plan: { fromRate: cp.fromRate, factor: cp.factor, maxRate: cp.maxRate, stepMs: cp.stepMs, refine: cp.refine },
      steps,
      ...(sustainable !== undefined ? { sustainable } : {}),
      ...(brokenAt !== undefined ? { brokenAt } : {}),
      stoppedBy,
      verdict: capacityVerdict(targets, steps, stoppedBy, cp),
    };
    const out = emptyOutput();
    out.sections.capacity = capacity;
    if (sustainable !== undefined) out.metrics['capacity.sustainable'] = sustainable;
    if (stoppedBy === 'generator' && sustainable === undefined) {
      // Nothing was learnt about the target: the probe could not be carried out on this machine.
      out.fatal.push(`invalid run: ${capacity.verdict}`);
    }
    ctx.events.capacityDone?.(capacity);
    return out;
  },
};
