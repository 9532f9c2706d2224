import type { Command } from 'commander';
import { phasesFor } from '../../plan/phases.ts';
import { validateScenario } from '../../plan/plan.ts';
import { readScenario } from '../../scenario/read.ts';

/** `wsgate validate`: parse and check scenario files without touching any target. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check scenario files (syntax, schema, env vars, files, thresholds, block references) without running them',
    )
    .argument('<scenario...>', 'scenario files (YAML)')
    .addHelpText(
      'after',
      `
Errors name file:line:column and the field; every problem of a file is listed at once; exit code 2
when any file is invalid. Checked: YAML, the schema, \${env:}/\${file:} values, names that blocks refer
to, \${fixture:} names, JWT signing keys, the load plan against this host's open-file limit and
ephemeral ports, and that every threshold names a metric some command measures for this scenario.
Nothing is contacted: no fixture starts, no target is connected to.`,
    )
    .action(async (files: string[]) => {
      for (const file of files) {
        const s = readScenario(file);
        await validateScenario(s);
        const phases = phasesFor('run', s.doc);
        process.stdout.write(
          `${file}: ok (${s.doc.targets.length} target(s), ${s.doc.credentials.length} credential set(s); ` +
            `\`run\` does: ${phases.join(', ')})\n`,
        );
      }
    });
}
