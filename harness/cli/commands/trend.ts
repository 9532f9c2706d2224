import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readHistory } from '../../history/history.ts';
import { DEFAULT_WINDOW, trends } from '../../history/regression.ts';
import type { Summary } from '../../model/summary.ts';
import { trendHtml } from '../../report/html/trend.ts';
import { CliError, EXIT_FAILED, EXIT_INVALID } from '../exit-codes.ts';

/** `wsgate trend`: the history of nightly runs as an HTML trend report, with regression detection. */
export function registerTrend(program: Command): void {
  program
    .command('trend')
    .description('HTML trend report over a history folder (written by --history), flagging regressions')
    .argument('<history-dir>', 'folder of summaries appended by `wsgate run --history <dir>`')
    .option('-o, --output <file>', 'HTML file to write (default <history-dir>/trend.html)')
    .option('--window <n>', 'earlier runs the latest is compared with', String(DEFAULT_WINDOW))
    .option('--fail-on-regression', 'exit 1 when the latest run regressed')
    .addHelpText(
      'after',
      '\nRegression rule: the latest run is worse than the median of the previous <window> runs by more ' +
        'than\nmax(3 x MAD, 10% of the median, a small floor); it needs at least 3 earlier runs.',
    )
    .action((dir: string, flags: { output?: string; window: string; failOnRegression?: boolean }) => {
      const window = Number(flags.window);
      if (!Number.isInteger(window) || window < 3)
        throw new CliError(`--window: expected a whole number >= 3, got "${flags.window}"`, EXIT_INVALID);
      let history: Summary[];
      try {
        history = readHistory(dir);
      } catch (err) {
        throw new CliError(`${dir}: ${(err as Error).message}`, EXIT_INVALID);
      }
      if (history.length === 0) throw new CliError(`${dir}: no wsgate summaries in this folder`, EXIT_INVALID);
      const t = trends(history, window);
      const out = flags.output ?? join(dir, 'trend.html');
      writeFileSync(out, trendHtml(history, t));
      const regressions = t.filter((x) => x.regression);
      for (const r of regressions) process.stderr.write(`regression: ${r.regression}\n`);
      process.stdout.write(`${out}\n${regressions.length ? `${regressions.length} regression(s)` : 'no regression'}\n`);
      if (regressions.length && flags.failOnRegression) process.exitCode = EXIT_FAILED;
    });
}
