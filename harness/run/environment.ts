import { execFileSync } from 'node:child_process';
import { arch, cpus, hostname, platform, totalmem } from 'node:os';
import type { Environment } from '../model/summary.ts';

/** The machine and checkout a run happened on, for reports and history. */
export function environment(): Environment {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: totalmem(),
    gitCommit: gitCommit(),
    hostname: hostname(),
  };
}

function gitCommit(): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}
