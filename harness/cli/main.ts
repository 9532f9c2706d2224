import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ScenarioError } from '../model/errors.ts';
import { CliError, EXIT_INVALID, EXIT_UNREACHABLE } from './exit-codes.ts';
import { COMMANDS } from './commands/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('wsgate')
  .description('Load and conformance testing for WebSocket gateways that authorize the upgrade request.')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addHelpText(
  'after',
  `
Exit codes: 0 all checks and thresholds hold, 1 a check or threshold failed,
            2 invalid scenario or command line, 3 target unreachable or run not carried out.
Quick start: wsgate run scenarios/quickstart.yaml    (starts the bundled fixtures on loopback)`,
);

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    return err.exitCode === 0 ? 0 : EXIT_INVALID;
  }
  if (err instanceof ScenarioError) {
    process.stderr.write(`wsgate: invalid scenario\n${err.message}\n`);
    return EXIT_INVALID;
  }
  if (err instanceof CliError) {
    process.stderr.write(`wsgate: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`wsgate: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_UNREACHABLE;
}
