import { readFileSync } from 'node:fs';
import { SUMMARY_SCHEMA_VERSION, type Summary } from '../model/summary.ts';

/**
 * A summary.json from any wsgate version, upgraded to the current shape, or an Error saying why
 * the file is not one. Version 1 named the load timings `phases`.
 */
export function readSummary(file: string): Summary {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`not a readable summary.json (${(err as Error).message})`);
  }
  return upgradeSummary(json);
}

/** The current shape of a parsed summary of any version. */
export function upgradeSummary(json: unknown): Summary {
  const s = json as { schema?: unknown; schemaVersion?: unknown; load?: { sets?: Array<Record<string, unknown>> } };
  if (!s || typeof s !== 'object' || s.schema !== 'wsgate.summary')
    throw new Error('not a wsgate summary (no "schema": "wsgate.summary")');
  const version = typeof s.schemaVersion === 'number' ? s.schemaVersion : 1;
  if (version > SUMMARY_SCHEMA_VERSION)
    throw new Error(
      `written by a newer wsgate (summary version ${version}; this one reads up to ${SUMMARY_SCHEMA_VERSION})`,
    );
  if (version < 2) {
    for (const set of s.load?.sets ?? []) {
      if ('phases' in set) {
        set.timings = set.phases;
        delete set.phases;
      }
    }
  }
  s.schemaVersion = SUMMARY_SCHEMA_VERSION;
  return s as unknown as Summary;
}
