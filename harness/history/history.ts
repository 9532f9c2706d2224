import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../model/summary.ts';
import { upgradeSummary } from '../results/read-summary.ts';

/** Keep a run's (already masked) summary.json in a history folder, named by its run id. */
export function appendToHistory(historyDir: string, runDir: string, runId: string): string {
  mkdirSync(historyDir, { recursive: true });
  const dest = join(historyDir, `${runId}.json`);
  copyFileSync(join(runDir, 'summary.json'), dest);
  return dest;
}

/** Every summary in a history folder, oldest first (by start time); files that are not summaries are skipped. */
export function readHistory(historyDir: string): Summary[] {
  const out: Summary[] = [];
  for (const f of readdirSync(historyDir)) {
    if (!f.endsWith('.json')) continue;
    try {
      out.push(upgradeSummary(JSON.parse(readFileSync(join(historyDir, f), 'utf8'))));
    } catch {
      // Not ours: a history folder may hold other artifacts.
    }
  }
  return out.sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
}
