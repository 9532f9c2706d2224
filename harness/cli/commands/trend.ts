import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_WINDOW, FALSE_ALARM_RATE, MIN_WINDOW, trends } from '../../analysis/trend.ts';
import { readHistory } from '../../history/history.ts';
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
      `
Regression rule (README "Trends"): the latest run regresses on a metric when it is worse than the
median of the previous <window> runs by more than a Student t multiple of how much runs vary (their
spread between runs, or one run's own sampling error from its histogram, whichever is larger), and by
more than the metric's tolerance (the scenario's trend: block; default 5% for latencies). The t
multiple is set so that identical runs raise a false alarm on any metric at most ${FALSE_ALARM_RATE * 100}% of the
time. Percentiles are judged only with enough samples in every run (p99: 1,000; p99.9: 10,000);
min and max never. Needs ${MIN_WINDOW} earlier runs; fewer are charted, not judged.`,
    )
    .action((dir: string, flags: { output?: string; window: string; failOnRegression?: boolean }) => {
      const window = Number(flags.window);
      if (!Number.isInteger(window) || window < MIN_WINDOW) {
        throw new CliError(`--window: expected a whole number >= ${MIN_WINDOW}, got "${flags.window}"`, EXIT_INVALID);
      }
      let history: Summary[];
      try {
        history = readHistory(dir);
      } catch (err) {
        throw new CliError(`${dir}: ${(err as Error).message}`, EXIT_INVALID);
      }
      if (history.length === 0) throw new CliError(`${dir}: no wsgate summaries in this folder`, EXIT_INVALID);
      const report = trends(history, { window });
      const out = flags.output ?? join(dir, 'trend.html');
      writeFileSync(out, trendHtml(history, report));
      const regressions = report.metrics.filter((x) => x.regression);
      for (const r of regressions) process.stderr.write(`regression: ${r.regression!.message}\n`);
      const thin = report.metrics.filter((x) => x.status === 'not_enough_data').length;
      const verdict = regressions.length ? `${regressions.length} regression(s)` : 'no regression';
      const scope = `${report.judged} metric(s) judged${thin ? `, ${thin} not judged for lack of samples` : ''}`;
      process.stdout.write(`${out}\n${verdict} (${scope})\n`);
      if (regressions.length && flags.failOnRegression) process.exitCode = EXIT_FAILED;
    });
}
