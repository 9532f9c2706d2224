import { Command } from 'commander';
import { WSGATE_VERSION } from '../results/summary.ts';
import { COMMANDS } from './commands/index.ts';
import { exitFor } from './exit.ts';

const program = new Command()
  .name('wsgate')
  .description('Load and conformance testing for WebSocket gateways that authorize the upgrade request.')
  .version(WSGATE_VERSION)
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
  const exit = exitFor(err);
  if (exit.message) process.stderr.write(`wsgate: ${exit.message}\n`);
  process.exitCode = exit.code;
}
