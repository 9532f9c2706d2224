import type { Command } from 'commander';

/** `wsgate fixtures`: placeholder, owned by the fixtures work. */
export function registerFixtures(program: Command): void {
  program.command('fixtures').description('Start the bundled echo backend, auth service and a gateway on loopback; print their URLs; stop on Ctrl-C');
}
