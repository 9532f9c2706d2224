import { readFileSync } from 'node:fs';

/**
 * CPU use of processes and of the machine, read from /proc (Linux). Everything here answers
 * undefined where /proc is not readable, and callers then say "not measured".
 */

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every Linux the project runs on). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in ms. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The machine's busy and total CPU time so far, in ticks over all cores. */
export function hostCpuTicks(): { busy: number; total: number } | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [, ...values] = first.trim().split(/\s+/);
    const n = values.map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** The busiest of some processes' share of a core, and the machine's busy share, between two samples. */
export class CpuSampler {
  private lastAt = performance.now();
  private readonly lastProcess = new Map<number, number>();
  private lastHost = hostCpuTicks();
  private readonly firstAt = this.lastAt;
  private readonly firstProcess = new Map<number, number>();
  private readonly firstHost = this.lastHost;

  constructor(private readonly pids: () => readonly number[]) {
    for (const pid of pids()) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) {
        this.lastProcess.set(pid, ms);
        this.firstProcess.set(pid, ms);
      }
    }
  }

  /** Since the last sample: the busiest process's share of a core, and the machine's busy share. */
  sample(): { processes?: number; host?: number } {
    const now = performance.now();
    const out = this.between(this.lastProcess, this.lastHost, now - this.lastAt, true);
    this.lastAt = now;
    return out;
  }

  /** The same over everything since the sampler started. */
  total(): { processes?: number; host?: number } {
    return this.between(this.firstProcess, this.firstHost, performance.now() - this.firstAt, false);
  }

  private between(base: Map<number, number>, host: ReturnType<typeof hostCpuTicks>, wallMs: number, advance: boolean) {
    const out: { processes?: number; host?: number } = {};
    for (const pid of this.pids()) {
      const ms = processCpuMs(pid);
      if (ms === undefined) continue;
      const before = base.get(pid);
      if (before !== undefined)
        out.processes = Math.max(out.processes ?? 0, round((ms - before) / Math.max(1, wallMs)));
      if (advance || before === undefined) base.set(pid, ms);
    }
    const nowHost = hostCpuTicks();
    if (host && nowHost && nowHost.total > host.total)
      out.host = round((nowHost.busy - host.busy) / (nowHost.total - host.total));
    if (advance) this.lastHost = nowHost;
    return out;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
