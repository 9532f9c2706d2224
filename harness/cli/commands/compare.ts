import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { Summary } from '../../model/summary.ts';
import { compareHtml } from '../../report/html/compare.ts';
import { readSummary } from '../../results/read-summary.ts';
import { CliError, EXIT_INVALID } from '../exit-codes.ts';

/** A run folder or its summary.json, read and checked to be a wsgate summary. */
function readRun(path: string): { label: string; summary: Summary } {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  let summary: Summary;
  try {
    summary = readSummary(file);
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, EXIT_INVALID);
  }
  return { label: basename(file === path ? dirname(file) : path), summary };
}

/** `wsgate compare`: gateways (targets of one run, or several runs) side by side in one HTML. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Write one HTML comparing runs, or the gateways (targets) of one run, side by side')
    .argument('<run...>', 'run folders (reports/<run>/) or their summary.json files')
    .option('-o, --output <file>', 'HTML file to write', '')
    .addHelpText(
      'after',
      '\nExample: wsgate run scenarios/compare-gateways.yaml -o reports/gw && wsgate compare reports/gw\nThe page ' +
        'is self-contained (opens offline); secrets were masked when the runs were written.',
    )
    .action((paths: string[], flags: { output: string }) => {
      const runs = paths.map(readRun);
      const out =
        flags.output ||
        join(
          dirname(paths[0]!.replace(/\/summary\.json$/, '')),
          `compare-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}.html`,
        );
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, compareHtml(runs));
      process.stdout.write(`${out}\n`);
    });
}
