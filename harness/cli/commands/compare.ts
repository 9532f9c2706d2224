import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { readHistory } from '../../history/history.ts';
import type { Summary } from '../../model/summary.ts';
import { type CompareSide, compareHtml } from '../../report/html/compare.ts';
import { readSummary } from '../../results/read-summary.ts';
import { CliError, EXIT_INVALID } from '../exit-codes.ts';

/**
 * One side of a comparison from a path: a run folder or its summary.json (one run), or a folder of
 * summaries such as a `--history` folder (several runs of one configuration).
 */
function readSide(path: string): CompareSide {
  const label = basename(path.replace(/\/summary\.json$/, '').replace(/\/$/, ''));
  let runs: Summary[];
  try {
    if (existsSync(path) && statSync(path).isDirectory()) {
      runs = existsSync(join(path, 'summary.json')) ? [readSummary(join(path, 'summary.json'))] : readHistory(path);
    } else runs = [readSummary(path)];
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`, EXIT_INVALID);
  }
  if (runs.length === 0) throw new CliError(`${path}: no wsgate summary there`, EXIT_INVALID);
  return { label, runs };
}

/** `wsgate compare`: gateways (targets of one run, or several runs) side by side in one HTML. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Write one HTML comparing runs, or the gateways (targets) of one run, side by side')
    .argument('<run...>', 'run folders (reports/<run>/), their summary.json, or folders of summaries (--history)')
    .option('-o, --output <file>', 'HTML file to write', '')
    .addHelpText(
      'after',
      `
Example: wsgate run scenarios/compare-gateways.yaml -o reports/gw && wsgate compare reports/gw

How to read it (README "Comparisons"): a scenario's compare: block measures gateways in interleaved
rounds, and the page shows each difference with its interval and a verdict (faster, slower, or no
detectable difference with the smallest one the run could have seen). Separate runs were not
interleaved: with one run per side the page shows no verdict, only each run's own sampling interval;
give folders with 3 or more runs per side (e.g. two --history folders) and it judges the run-to-run
spread. The page is self-contained (opens offline); secrets were masked when the runs were written.`,
    )
    .action((paths: string[], flags: { output: string }) => {
      const sides = paths.map(readSide);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const out = flags.output || join(dirname(paths[0]!.replace(/\/summary\.json$/, '')), `compare-${stamp}.html`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, compareHtml(sides));
      process.stdout.write(`${out}\n`);
    });
}
