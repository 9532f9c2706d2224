import type { LoadResult, LoadSecond, Saturation } from '../model/load.ts';
import type { LoadPlan } from '../plan/load.ts';
import type { SpreadPlan } from '../plan/spread.ts';
import { CpuSampler } from './cpu.ts';
import { judgeSaturation } from './saturation.ts';
import { runDistributed } from './workers.ts';

export interface MeasuredOptions {
  signal?: AbortSignal;
  /** When second 0 of the schedule begins (epoch ms): the runners' agreed start; default when ready. */
  startAtEpochMs?: number;
  /** The target's processes, when wsgate started them: their CPU joins the saturation verdict. */
  targetPids?: readonly number[];
  /** Once a second, over every worker, with the target's CPU that second when measured. */
  onSecond?: (second: LoadSecond, p95: number | undefined) => void;
}

/**
 * Run a load with everything that says who kept up: the workers' own health (in the result), the
 * target's processes and the machine sampled once a second, and the saturation verdict over both.
 * The `load` phase and every step of the capacity probe run through here.
 */
export async function runMeasured(
  plan: LoadPlan,
  spread: SpreadPlan,
  opts: MeasuredOptions = {},
): Promise<LoadResult & { saturation: Saturation }> {
  // A load run inside a target process (one worker, in-process fixtures) would count its own CPU as the target's.
  const pids = (opts.targetPids ?? []).filter((pid) => spread.workers > 1 || pid !== process.pid);
  const cpu = new CpuSampler(() => pids);
  const perSecond = new Map<number, { processes?: number; host?: number }>();
  const result = await runDistributed(plan, spread, {
    signal: opts.signal,
    ...(opts.startAtEpochMs !== undefined ? { startAtEpochMs: opts.startAtEpochMs } : {}),
    onSecond: (s, p95) => {
      const sample = cpu.sample();
      perSecond.set(s.t, sample);
      opts.onSecond?.({ ...s, ...(sample.processes !== undefined ? { targetCpu: sample.processes } : {}) }, p95);
    },
  });
  const overall = cpu.total();
  for (const s of result.series) {
    const sample = perSecond.get(s.t);
    if (sample?.processes !== undefined) s.targetCpu = sample.processes;
    if (sample?.host !== undefined) s.hostCpu = sample.host;
  }
  const saturation = judgeSaturation(result, {
    ...(pids.length > 0 && overall.processes !== undefined ? { targetCpu: overall.processes } : {}),
    ...(overall.host !== undefined ? { hostCpu: overall.host } : {}),
  });
  return Object.assign(result, { saturation });
}
