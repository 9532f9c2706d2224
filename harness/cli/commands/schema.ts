import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ScenarioSchema } from '../../scenario/schema.ts';

/** The JSON Schema text that editors use (yaml-language-server). */
export function jsonSchemaText(): string {
  return JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...ScenarioSchema }, null, 2) + '\n';
}

/** `wsgate schema`: print or write the scenario JSON Schema. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the scenario JSON Schema (for editor completion via yaml-language-server)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      '\nIn a scenario, the first line\n  # yaml-language-server: $schema=../wsgate.schema.json\nlets editors ' +
        'complete and check it. The repository ships wsgate.schema.json.',
    )
    .action((flags: { output?: string }) => {
      if (flags.output) writeFileSync(flags.output, jsonSchemaText());
      else process.stdout.write(jsonSchemaText());
    });
}
