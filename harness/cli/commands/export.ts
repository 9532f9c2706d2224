import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { k8sName, testRunManifest } from '../../export/k6/manifest.ts';
import { exportK6, type K6Export } from '../../export/k6/script.ts';
import { indexedJob } from '../../export/k8s/indexed-job.ts';
import { validateScenario } from '../../plan/plan.ts';
import { MAX_SEGMENTS } from '../../plan/segment.ts';
import { WSGATE_VERSION } from '../../results/summary.ts';
import { readScenario } from '../../scenario/read.ts';
import { CliError, EXIT_INVALID } from '../exit-codes.ts';

interface ExportFlags {
  output?: string;
  manifest?: string;
  parallelism: string;
  claim?: string;
  strict?: boolean;
}

interface K8sFlags {
  runners: string;
  image?: string;
  claim?: string;
  outputDir: string;
  strict?: boolean;
}

/** `wsgate export k6`: the scenario as a typed k6 script (and a k6-operator TestRun). */
export function registerExport(program: Command): void {
  const exp = program
    .command('export')
    .description('Export a scenario for runs that outgrow one machine: a k6 script, or wsgate runners on Kubernetes');
  exp
    .command('k6')
    .description('Write a TypeScript k6 script (typed with @types/k6) and optionally a k6-operator TestRun manifest')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('-o, --output <file>', 'script file (default: stdout)')
    .option('-m, --manifest <file>', 'also write a ConfigMap + k6-operator TestRun manifest here')
    .option('-p, --parallelism <n>', 'k6-operator runners', '4')
    .option(
      '--claim <name>',
      "the PersistentVolumeClaim the runners write k6's JSON output to (wsgate-<scenario>-results)",
    )
    .option('--strict', 'refuse (exit 2) when anything in the scenario cannot be exported')
    .addHelpText(
      'after',
      `
Credential values are never written into the script: it reads them from environment variables
named WSGATE_<SET>_<FIELD>, listed at the top of the script. What k6 cannot do (backend-record
checks, auth-service fault states, overhead, security probes) is listed as warnings on stderr and
in the script's header; --strict turns them into a refusal. Run with: k6 run <script>.ts (k6 >= 0.57).
The TestRun has every runner write k6's JSON output (--out json) to a volume claim you provide;
\`wsgate import k6 <files> --scenario <scenario>\` merges them and judges the thresholds once.`,
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
              claimName: flags.claim ?? k8sName(`wsgate-${scenario.doc.name}-results`),
            }),
          ),
        );
      }
    });
  exp
    .command('k8s')
    .description(
      'Write a Kubernetes Indexed Job running the scenario as N wsgate runners, and the Job that merges them',
    )
    .argument('<scenario>', 'scenario file (YAML)')
    .requiredOption('--image <image>', 'an image with Node.js 20+, sh and wsgate on the PATH (wsgate publishes none)')
    .option('-r, --runners <n>', 'runners (segments), one pod each', '4')
    .option('--claim <name>', 'the ReadWriteMany PersistentVolumeClaim for the parts (wsgate-<scenario>-parts)')
    .option('-d, --output-dir <dir>', 'where to write <scenario>.runners.yaml and <scenario>.merge.yaml', '.')
    .option('--strict', 'refuse (exit 2) when anything in the scenario cannot run this way')
    .addHelpText(
      'after',
      `
The runners' Job: completions = parallelism = runners; pod i runs segment i+1 of the load
(--segment from JOB_COMPLETION_INDEX), every pod begins its schedule at the instant in the
ConfigMap wsgate-<scenario>-start (key startAt), and writes its summary to the claim. The merge Job,
applied once the runners are done, runs wsgate merge over the parts; its exit status is the gate.
You provide: the image, the claim, a Secret with the scenario file and one with its \${env:} values
(the manifests name them and hold no secret). README "Beyond one machine" shows the whole path.`,
    )
    .action(async (file: string, flags: K8sFlags) => {
      const runners = Number(flags.runners);
      if (!Number.isInteger(runners) || runners < 1 || runners > MAX_SEGMENTS)
        throw new CliError(
          `--runners: expected a whole number from 1 to ${MAX_SEGMENTS}, got "${flags.runners}"`,
          EXIT_INVALID,
        );
      const scenario = readScenario(file);
      await validateScenario(scenario, { segment: { index: 1, of: runners } });
      const name = k8sName(scenario.doc.name);
      const out = indexedJob(scenario, {
        runners,
        image: flags.image!,
        claimName: flags.claim ?? k8sName(`wsgate-${scenario.doc.name}-parts`),
        scenarioKey: 'scenario.yaml',
      });
      for (const w of out.warnings) process.stderr.write(`warning: ${w}\n`);
      if (flags.strict && out.warnings.length > 0)
        throw new CliError(`--strict: ${out.warnings.length} problem(s) with ${file} (listed above)`, EXIT_INVALID);
      mkdirSync(flags.outputDir, { recursive: true });
      const written = [
        [join(flags.outputDir, `${name}.runners.yaml`), out.runners],
        [join(flags.outputDir, `${name}.merge.yaml`), out.merge],
      ] as const;
      for (const [path, text] of written) writeFileSync(path, scenario.secrets.mask(text));
      process.stdout.write(`${written.map(([p]) => p).join('\n')}\n`);
    });
}
