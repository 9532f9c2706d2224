import type { Command } from 'commander';
import { registerFixtures } from './fixtures.ts';

/** Every wsgate command, in the order `wsgate --help` lists them. Each file registers one. */
export const COMMANDS: Array<(program: Command) => void> = [registerFixtures];
