import { getPriority, setPriority } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { LatencyRecorder } from '../metrics/latency-recorder.ts';
import type { GeneratorHealth } from '../model/load.ts';

/** An attempt that starts this much after its scheduled time shows the generator falling behind. */
export const LATE_BOUND_MS = 10;
/**
 * The nice value a load worker process asks for. The generator needs little CPU but needs it on time: beside a
 * target on the same machine at the default 0 (the bundled fixtures, a gateway wsgate launched), the kernel's
 * scheduler let its timers wait 10-65 ms behind them (load-reference.yaml: 2.5% of starts over 10 ms late at 10%
 * of a core); at -10 its starts kept their schedule (late p99 4.5 ms) and the target kept the rest of the CPU.
 */
export const GENERATOR_NICE = -10;
/** Event-loop delay is sampled this often (ms). */
const LOOP_RESOLUTION_MS = 10;

/** One second of a load process's health: how late it started attempts, its loop delay, its CPU. */
export interface HealthSecond {
  /** p99 of how late attempts started in this second (ms), when any started. */
  lateP99?: number;
  /** p99 event-loop delay in this second (ms). */
  loopP99: number;
  /** Share of one core this process used in this second. */
  cpu: number;
}

/**
 * Watches one load process: each attempt's start against its schedule, the event loop's delay
 * (perf_hooks), and the process's CPU. A generator that starts attempts late, whose loop stalls or
 * whose core is full measures itself, not the target: the run's verdict must say so.
 */
export class HealthWatch {
  private readonly late = new LatencyRecorder();
  private readonly lateSecond = new LatencyRecorder();
  private lateBeyond = 0;
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private readonly loopSecond: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private readonly cpu0 = process.cpuUsage();
  private cpuLast = process.cpuUsage();
  private readonly t0 = performance.now();
  private tLast = this.t0;

  constructor() {
    this.loop.enable();
    this.loopSecond.enable();
  }

  /** An attempt started `lateMs` after its scheduled time. */
  started(lateMs: number): void {
    const ms = Math.max(0, lateMs);
    this.late.record(ms);
    this.lateSecond.record(ms);
    if (ms > LATE_BOUND_MS) this.lateBeyond++;
  }

  /** The second that just ended, and a fresh start for the next. */
  second(): HealthSecond {
    const now = performance.now();
    const cpu = process.cpuUsage(this.cpuLast);
    const out: HealthSecond = {
      loopP99: round(this.loopSecond.percentile(99) / 1e6),
      cpu: round((cpu.user + cpu.system) / 1000 / Math.max(1, now - this.tLast)),
    };
    if (this.lateSecond.count > 0) out.lateP99 = this.lateSecond.summary()!.p99;
    this.lateSecond.reset();
    this.loopSecond.reset();
    this.cpuLast = process.cpuUsage();
    this.tLast = now;
    return out;
  }

  /** The whole run's health; stops watching. */
  result(): GeneratorHealth {
    const wall = Math.max(1, performance.now() - this.t0);
    const cpu = process.cpuUsage(this.cpu0);
    this.loop.disable();
    this.loopSecond.disable();
    const late = this.late.summary();
    const health: GeneratorHealth = {
      ...(late ? { late } : {}),
      lateBeyondBound: this.lateBeyond,
      lateBoundMs: LATE_BOUND_MS,
      loopDelay: {
        p50: round(this.loop.percentile(50) / 1e6),
        p99: round(this.loop.percentile(99) / 1e6),
        max: round(this.loop.max / 1e6),
      },
      cpu: {
        userMs: Math.round(cpu.user / 1000),
        systemMs: Math.round(cpu.system / 1000),
        busiestShare: round((cpu.user + cpu.system) / 1000 / wall),
      },
      processes: 1,
      nice: getPriority(),
    };
    this.late.destroy();
    this.lateSecond.destroy();
    return health;
  }
}

/**
 * Ask the kernel to run this load process ahead of the target's processes (GENERATOR_NICE); raising a priority
 * needs root or CAP_SYS_NICE, and without them the process keeps the one it has (the health report says which).
 */
export function raisePriority(): void {
  try {
    setPriority(GENERATOR_NICE);
  } catch {
    // EACCES: not permitted here.
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
