import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { importK6 } from '../../export/k6/import-results.ts';
import { K6FormatError } from '../../export/k6/json-output.ts';
import type { Summary } from '../../model/summary.ts';
import { validateScenario } from '../../plan/plan.ts';
import { defaultRunDir, writeRunOutputs, writeStepSummary } from '../../report/outputs.ts';
import { consoleSummary } from '../../report/text/summary.ts';
import { MergeInputError } from '../../results/merge-parts.ts';
import { environment } from '../../run/environment.ts';
import { readScenario } from '../../scenario/read.ts';
import { CliError, EXIT_INVALID } from '../exit-codes.ts';
import { createLog } from '../log.ts';

interface ImportFlags {
  scenario: string;
  out?: string;
  reports: string;
  quiet?: boolean;
}

/** `wsgate import k6`: k6-operator's runners' JSON output, merged and judged once like a wsgate run. */
export function registerImport(program: Command): void {
  const imp = program.command('import').description("Read another tool's results into wsgate's reports (k6)");
  imp
    .command('k6')
    .description("Merge the JSON output of k6 instances that ran an exported scenario; judge the scenario's thresholds")
    .argument('<file...>', 'k6 --out json files (.json or .json.gz), one per instance')
    .requiredOption('-s, --scenario <file>', 'the scenario the k6 script was exported from (its thresholds and sets)')
    .option('-o, --out <dir>', 'write outputs here instead of reports/<scenario>-k6-<timestamp>/')
    .option('--reports <dir>', 'root folder for outputs', 'reports')
    .option('-q, --quiet', 'print only the final summary')
    .addHelpText(
      'after',
      `
Reads k6's --out json lines (Metric and Point records) as a stream, gzipped or not; a last line cut
off (k6 stopped while writing) is tolerated and makes the result partial. Samples become HDR
histograms and counters: the script's wsgate_handshake (time to 101, handshake.*), its checks (the
conformance scenario's, as checks_passed / checks_failed), k6's ws_sessions by status tag (outcomes,
attempts, upgrades, errors, unexpected_outcomes through the targets' statusMap) and ws_connecting
(time to the response, per set). Thresholds on what k6's output does not carry (generator health,
connect, held connections, overhead, probes) are skipped with the reason.
Exit codes: 0 pass, 1 a check or threshold failed, 2 invalid input, 3 partial or nothing to judge.`,
    )
    .action(async (files: string[], flags: ImportFlags) => {
      const scenario = readScenario(flags.scenario);
      await validateScenario(scenario);
      const paths = [...new Set(files.map((f) => resolve(f)))];
      for (const f of paths)
        if (!existsSync(f) || !statSync(f).isFile()) throw new CliError(`${f}: no such file`, EXIT_INVALID);
      const log = createLog(scenario.secrets, { quiet: flags.quiet });
      const outDir = flags.out ?? defaultRunDir(flags.reports, `${scenario.doc.name}-k6`, new Date());
      let summary: Summary;
      try {
        summary = await importK6(scenario, paths, {
          runId: outDir.split(/[\\/]/).pop() ?? scenario.doc.name,
          environment: environment(),
        });
      } catch (err) {
        if (err instanceof K6FormatError || err instanceof MergeInputError)
          throw new CliError(err.message, EXIT_INVALID);
        throw err;
      }
      for (const w of summary.merge?.warnings ?? []) log.warn(w);
      writeRunOutputs(outDir, summary, scenario.secrets);
      writeStepSummary(summary, scenario.secrets);
      log.result(consoleSummary(summary, outDir));
      process.exitCode = summary.verdict.exitCode;
    });
}
