import type { Command } from 'commander';
import { loadScenario } from '../../scenario/load.ts';

/** `wsgate validate`: parse and check scenario files without touching any target. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check scenario files (syntax, schema, env vars, files, thresholds) without running them')
    .argument('<scenario...>', 'scenario files (YAML)')
    .addHelpText('after', '\nErrors name file:line:column and the field; exit code 2 when any file is invalid.')
    .action((files: string[]) => {
      for (const file of files) {
        const s = loadScenario(file);
        process.stdout.write(`${file}: ok (${s.doc.targets.length} target(s), ${s.doc.credentials.length} credential set(s))\n`);
      }
    });
}
