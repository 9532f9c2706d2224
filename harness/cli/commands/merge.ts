import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { appendToHistory } from '../../history/history.ts';
import type { Summary } from '../../model/summary.ts';
import { defaultRunDir, writeRunOutputs, writeStepSummary } from '../../report/outputs.ts';
import { consoleSummary } from '../../report/text/summary.ts';
import { MergeInputError, mergeParts, type Part } from '../../results/merge-parts.ts';
import { readSummary } from '../../results/read-summary.ts';
import { environment } from '../../run/environment.ts';
import { Secrets } from '../../scenario/secrets.ts';
import { CliError, EXIT_INVALID } from '../exit-codes.ts';
import { createLog } from '../log.ts';

interface MergeFlags {
  out?: string;
  reports: string;
  quiet?: boolean;
  history?: string;
}

/**
 * The summary.json files a path names: the file itself, a run folder's, or every run folder's in
 * a folder of them (a shared volume the runners wrote into), in name order.
 */
export function summaryFiles(path: string): string[] {
  if (!existsSync(path)) throw new CliError(`${path}: no such file or folder`, EXIT_INVALID);
  if (!statSync(path).isDirectory()) return [path];
  if (existsSync(join(path, 'summary.json'))) return [join(path, 'summary.json')];
  const inside = readdirSync(path)
    .sort()
    .map((name) => join(path, name, 'summary.json'))
    .filter((f) => existsSync(f));
  if (inside.length === 0)
    throw new CliError(`${path}: no summary.json there, nor in a run folder inside it`, EXIT_INVALID);
  return inside;
}

function readPart(file: string): Part {
  let summary: Summary;
  try {
    summary = readSummary(file);
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, EXIT_INVALID);
  }
  return { file, summary };
}

/** `wsgate merge`: the summaries of a split scenario's runners as one run, judged once. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description("Merge the runs of a scenario's segments (wsgate run --segment i/N) into one report, judged once")
    .argument('<part...>', 'run folders, their summary.json, or a folder of run folders (the runners wrote there)')
    .option('-o, --out <dir>', 'write outputs here instead of reports/<scenario>-merged-<timestamp>/')
    .option('--reports <dir>', 'root folder for outputs', 'reports')
    .option('-q, --quiet', 'print only the final summary')
    .option('--history <dir>', 'also keep the merged summary.json in a history folder, for `wsgate trend`')
    .addHelpText(
      'after',
      `
The parts must be runs of one scenario file (the same sha256). Load results are merged exactly:
HDR histograms added (percentiles of the merged histogram, never an average of percentiles),
counters summed, per-second series on one time base; conformance, overhead and security come from
segment 1. The scenario's thresholds are judged once, on the merged data. A missing, duplicate or
overlapping segment, or a runner that could not carry out its part, makes the result partial.

Outputs: summary.json, junit.xml, summary.md, index.html, each with one row per runner beside the
merged totals, and how far apart the runners' schedules began (by their clocks).
Exit codes: 0 pass, 1 a check or threshold failed, 2 invalid parts (another scenario, not a
summary), 3 partial (a segment missing or duplicated, a runner not carried out).`,
    )
    .action((paths: string[], flags: MergeFlags) => {
      const files = [...new Set(paths.flatMap(summaryFiles).map((f) => resolve(f)))];
      const parts = files.map(readPart);
      const now = new Date();
      const first = parts[0]!.summary.scenario.name;
      const outDir = flags.out ?? defaultRunDir(flags.reports, `${first}-merged`, now);
      let summary: Summary;
      try {
        summary = mergeParts(parts, { runId: outDir.split(/[\\/]/).pop() ?? first, environment: environment() });
      } catch (err) {
        if (err instanceof MergeInputError) throw new CliError(err.message, EXIT_INVALID);
        throw err;
      }
      // The parts were masked when they were written; nothing here adds a secret.
      const secrets = new Secrets();
      const log = createLog(secrets, { quiet: flags.quiet });
      for (const w of summary.merge?.warnings ?? []) log.warn(w);
      writeRunOutputs(outDir, summary, secrets);
      writeStepSummary(summary, secrets);
      log.result(consoleSummary(summary, outDir));
      if (flags.history) log.info(`history: ${appendToHistory(flags.history, outDir, summary.run.id)}`);
      process.exitCode = summary.verdict.exitCode;
    });
}
