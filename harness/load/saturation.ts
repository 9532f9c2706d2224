import type { LoadResult, Saturation } from '../model/load.ts';
import type { Outcome } from '../model/outcome.ts';
import { isGeneratorLimit, isNetworkFailure } from '../outcome/reachability.ts';
import { GENERATOR_NICE } from './generator-health.ts';

/** Share of attempts that may start later than the generator's late bound before it counts as behind. */
export const LATE_SHARE_LIMIT = 0.01;
/** Late starts a short run may have (a GC pause, a busy neighbour) before the share above is judged. */
const LATE_COUNT_FLOOR = 10;
/**
 * Late starts invalidate a run when they move what it measures: the lateness p99 above this share
 * of the time-to-101 p99 (which counts from the scheduled start, lateness included), or most
 * attempts late (p50 past the bound: the generator is behind, not jittered). On this 2-core machine
 * with the target beside it, a healthy 500/s run saw 5% of starts 10-26 ms late against a 200 ms p99.
 */
export const LATE_DISTORTION_SHARE = 0.2;
/**
 * Event-loop delay p99 beyond which a load process is stalled whatever its starts show (ms). Below
 * it, stalls are reported and the late starts judge the schedule: on a shared machine a loop delay
 * p99 of 50 ms with every attempt on time was seen often, and it did not move a 250 ms bound.
 */
export const LOOP_P99_LIMIT_MS = 100;
/** A process at this share of one core in a second had no CPU left (Node runs its loop on one core). */
export const CORE_LIMIT = 0.9;
/** Seconds at the core limit, as a share of the seconds measured, before a side is saturated (and at least 2). */
const BUSY_SECONDS_SHARE = 0.2;
/** The machine at this busy share: the generator and the target fight for what is left. */
export const HOST_LIMIT = 0.95;
/** Network failures beyond this share, with the generator on schedule, say the target did not keep up. */
const FAILURE_SHARE_LIMIT = 0.01;

/**
 * Which side ran out during a load: the generator (it started attempts late, its loop stalled or
 * its core was full; its numbers then describe itself and the run is invalid), the target (its
 * processes' core was full, or it failed attempts while the generator kept its schedule), both, or
 * neither. `targetCpu` and `hostCpu` are shares over the load, when measured.
 */
export function judgeSaturation(r: LoadResult, measured: { targetCpu?: number; hostCpu?: number }): Saturation {
  const reasons: string[] = [];
  /** Findings that do not make a side saturated, reported with the verdict. */
  const notes: string[] = [];
  const g = r.generator;
  let generator = false;
  if (g) {
    const started = g.late?.count ?? 0;
    const lateP99 = g.late?.p99 ?? 0;
    const measuredP99 = r.handshake?.p99;
    const behind = (g.late?.p50 ?? 0) > g.lateBoundMs;
    const distorting = measuredP99 === undefined || lateP99 > LATE_DISTORTION_SHARE * measuredP99;
    if (started > 0 && g.lateBeyondBound > Math.max(LATE_COUNT_FLOOR, LATE_SHARE_LIMIT * started)) {
      const share = measuredP99 ? ` against a time-to-101 p99 of ${measuredP99} ms` : '';
      if (behind || distorting) {
        generator = true;
        reasons.push(
          `the generator started ${g.lateBeyondBound} of ${started} attempts more than ${g.lateBoundMs} ms late ` +
            `(p50 ${g.late?.p50} ms, p99 ${lateP99} ms${share}): it could not keep the schedule`,
        );
      } else {
        notes.push(
          `${g.lateBeyondBound} of ${started} attempts started more than ${g.lateBoundMs} ms late (p99 ${lateP99} ms` +
            `${share}): jitter, too small to move what was measured`,
        );
      }
    }
    if (g.loopDelay.p99 > LOOP_P99_LIMIT_MS) {
      generator = true;
      reasons.push(`a load process's event loop stalled: delay p99 ${g.loopDelay.p99} ms, max ${g.loopDelay.max} ms`);
    }
    const busy = busySeconds(r.series.map((s) => s.cpu));
    if (busy) {
      generator = true;
      reasons.push(
        `a load process was at ${Math.round(CORE_LIMIT * 100)}% of a core or more in ` + `${busy}: it had no CPU left`,
      );
    }
  }
  if (generator && measuredHostBusy(r, measured.hostCpu) && g && g.cpu.busiestShare < 0.5) {
    const targetPeak = Math.max(0, ...r.series.map((s) => s.targetCpu ?? 0));
    const among =
      targetPeak >= 0.5
        ? ` (the target's own processes among them, at up to ${Math.round(targetPeak * 100)}% of a core)`
        : '';
    reasons.push(
      `the load processes themselves used little CPU (busiest core ${Math.round(g.cpu.busiestShare * 100)}%): ` +
        `other processes on this machine starved them${among}`,
    );
  }
  if (generator && g?.nice !== undefined && g.nice >= 0) {
    reasons.push(
      `the load processes ran at nice ${g.nice}, not ahead of the target: worker processes ask for ` +
        `${GENERATOR_NICE}, which needs root or CAP_SYS_NICE (with workers: 1 the load shares wsgate's own process ` +
        'and is not raised)',
    );
  }
  let target = false;
  const targetBusy = busySeconds(r.series.map((s) => s.targetCpu));
  if (targetBusy) {
    target = true;
    reasons.push(
      `a target process was at ${Math.round(CORE_LIMIT * 100)}% of a core or more in ${targetBusy}: the target had ` +
        `no CPU left`,
    );
  }
  const limits = Object.entries(r.outcomes)
    .filter(([o]) => isGeneratorLimit(o as Outcome))
    .map(([o, k]) => `${k} ${o}`);
  if (limits.length > 0) {
    generator = true;
    reasons.push(
      `the load processes ran out of their own ports or descriptors (${limits.join(', ')}): raise the limit, add ` +
        'workers or source addresses',
    );
  }
  const failures = Object.entries(r.outcomes)
    .filter(([o]) => isNetworkFailure(o as Outcome) && !isGeneratorLimit(o as Outcome))
    .reduce((n, [, k]) => n + (k ?? 0), 0);
  if (!generator && r.attempts > 0 && failures / r.attempts > FAILURE_SHARE_LIMIT) {
    target = true;
    reasons.push(
      `${failures} of ${r.attempts} attempts got no answer (timeouts, refusals, resets) while the generator kept its ` +
        'schedule: the target did not keep up',
    );
  }
  if (!generator && r.skippedMaxInFlight > 0) {
    target = true;
    reasons.push(
      `${r.skippedMaxInFlight} scheduled attempts were skipped at maxInFlight: handshakes piled up at the target`,
    );
  }
  if (measured.hostCpu !== undefined && measured.hostCpu > HOST_LIMIT) {
    reasons.push(
      `the machine's CPU was ${Math.round(measured.hostCpu * 100)}% busy: the generator and the target share it`,
    );
  }
  const hostBusy = busySeconds(
    r.series.map((s) => s.hostCpu),
    HOST_LIMIT,
  );
  if (hostBusy && !(measured.hostCpu !== undefined && measured.hostCpu > HOST_LIMIT)) {
    reasons.push(
      `the machine's CPU was ${Math.round(HOST_LIMIT * 100)}% busy or more in ` +
        `${hostBusy}: the generator and the target share it`,
    );
  }
  const side = generator && target ? 'both' : generator ? 'generator' : target ? 'target' : 'none';
  return {
    side,
    reasons: [...reasons, ...notes],
    ...(measured.hostCpu !== undefined ? { hostCpu: measured.hostCpu } : {}),
    ...(measured.targetCpu !== undefined ? { targetCpu: measured.targetCpu } : {}),
  };
}

/** Whether the machine was busy over the load, overall or in enough seconds. */
function measuredHostBusy(r: LoadResult, hostCpu: number | undefined): boolean {
  const busy = busySeconds(
    r.series.map((s) => s.hostCpu),
    HOST_LIMIT,
  );
  return (hostCpu !== undefined && hostCpu > HOST_LIMIT) || busy !== undefined;
}

/**
 * "7 of 12 seconds (max 98%)" when enough seconds were at `limit` or more to call the side
 * saturated, else undefined.
 */
function busySeconds(values: ReadonlyArray<number | undefined>, limit = CORE_LIMIT): string | undefined {
  const measured = values.filter((v): v is number => v !== undefined);
  const busy = measured.filter((v) => v >= limit);
  if (busy.length < Math.max(2, BUSY_SECONDS_SHARE * measured.length)) return undefined;
  return `${busy.length} of ${measured.length} seconds (max ${Math.round(Math.max(...busy) * 100)}%)`;
}
