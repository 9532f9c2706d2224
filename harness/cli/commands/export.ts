import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { testRunManifest } from '../../export/k6/manifest.ts';
import { exportK6, type K6Export } from '../../export/k6/script.ts';
import { validateScenario } from '../../plan/plan.ts';
import { WSGATE_VERSION } from '../../results/summary.ts';
import { readScenario } from '../../scenario/read.ts';
import { CliError, EXIT_INVALID } from '../exit-codes.ts';

interface ExportFlags {
  output?: string;
  manifest?: string;
  parallelism: string;
  strict?: boolean;
}

/** `wsgate export k6`: the scenario as a typed k6 script (and a k6-operator TestRun). */
export function registerExport(program: Command): void {
  const exp = program
    .command('export')
    .description('Export a scenario to another tool (k6) for runs that outgrow one machine');
  exp
    .command('k6')
    .description('Write a TypeScript k6 script (typed with @types/k6) and optionally a k6-operator TestRun manifest')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('-o, --output <file>', 'script file (default: stdout)')
    .option('-m, --manifest <file>', 'also write a ConfigMap + k6-operator TestRun manifest here')
    .option('-p, --parallelism <n>', 'k6-operator runners', '4')
    .option('--strict', 'refuse (exit 2) when anything in the scenario cannot be exported')
    .addHelpText(
      'after',
      `
Credential values are never written into the script: it reads them from environment variables
named WSGATE_<SET>_<FIELD>, listed at the top of the script. What k6 cannot do (backend-record
checks, auth-service fault states, overhead, security probes) is listed as warnings on stderr and
in the script's header; --strict turns them into a refusal. Run with: k6 run <script>.ts (k6 >= 0.57).`,
    )
    .action(async (file: string, flags: ExportFlags) => {
      const parallelism = Number(flags.parallelism);
      if (!Number.isInteger(parallelism) || parallelism < 1)
        throw new CliError(`--parallelism: expected a whole number >= 1, got "${flags.parallelism}"`, EXIT_INVALID);
      const scenario = readScenario(file);
      await validateScenario(scenario);
      let result: K6Export;
      try {
        result = exportK6(scenario, WSGATE_VERSION);
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`, EXIT_INVALID);
      }
      for (const w of result.warnings) process.stderr.write(scenario.secrets.mask(`warning: ${w}\n`));
      if (flags.strict && result.warnings.length > 0)
        throw new CliError(
          `--strict: ${result.warnings.length} part(s) of ${file} cannot be exported (listed above)`,
          EXIT_INVALID,
        );
      if (flags.output) writeFileSync(flags.output, result.script);
      else process.stdout.write(result.script);
      if (flags.manifest) {
        const scriptFile = flags.output ? basename(flags.output) : `${scenario.doc.name}.k6.ts`;
        writeFileSync(
          flags.manifest,
          scenario.secrets.mask(
            testRunManifest({
              name: scenario.doc.name,
              scriptFile,
              script: result.script,
              parallelism,
              secretName: `wsgate-${scenario.doc.name}-env`,
            }),
          ),
        );
      }
    });
}
