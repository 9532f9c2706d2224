import type { Command } from 'commander';
import { registerCapacity } from './capacity.ts';
import { registerCompare } from './compare.ts';
import { registerExport } from './export.ts';
import { registerFixtures } from './fixtures.ts';
import { registerImport } from './import.ts';
import { registerMerge } from './merge.ts';
import { registerProbe } from './probe.ts';
import { registerCheck, registerRun } from './run-like.ts';
import { registerSchema } from './schema.ts';
import { registerTrend } from './trend.ts';
import { registerValidate } from './validate.ts';

/** Every wsgate command, in the order `wsgate --help` lists them. Each file registers one. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerRun,
  registerCheck,
  registerProbe,
  registerCapacity,
  registerValidate,
  registerFixtures,
  registerMerge,
  registerCompare,
  registerTrend,
  registerExport,
  registerImport,
  registerSchema,
];
