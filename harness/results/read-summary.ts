import { readFileSync } from 'node:fs';
import { SUMMARY_SCHEMA_VERSION, type Summary } from '../model/summary.ts';

/**
 * A summary.json from any wsgate version, upgraded to the current shape, or an Error saying why
 * the file is not one. Version 1 named the load timings `phases`; version 2 named the held
 * connections' round trips `first_echo` and `message_rtt`.
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

/** Version 3's names for version 2's: a held connection's round trips became session metrics. */
const RENAMED_IN_3: ReadonlyArray<[string, string]> = [
  ['first_echo', 'session.first_rtt'],
  ['message_rtt', 'session.rtt'],
];
const TIMINGS_RENAMED_IN_3: ReadonlyArray<[string, string]> = [
  ['firstEcho', 'firstRtt'],
  ['message', 'rtt'],
];

interface OldSummary {
  schema?: unknown;
  schemaVersion?: unknown;
  load?: { sets?: Array<Record<string, unknown>>; held?: Record<string, unknown> };
  metrics?: Record<string, unknown>;
  thresholds?: Array<{ metric?: string }>;
  trend?: { tolerances?: Record<string, unknown> };
}

/** The current shape of a parsed summary of any version. */
export function upgradeSummary(json: unknown): Summary {
  const s = json as OldSummary;
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
  if (version < 3) upgradeTo3(s);
  s.schemaVersion = SUMMARY_SCHEMA_VERSION;
  return s as unknown as Summary;
}

/** Version 2 to 3: `first_echo.*` and `message_rtt.*` are `session.first_rtt.*` and `session.rtt.*`, everywhere. */
function upgradeTo3(s: OldSummary): void {
  const rename = (name: string) => {
    for (const [from, to] of RENAMED_IN_3)
      if (name === from || name.startsWith(`${from}.`)) return to + name.slice(from.length);
    return name;
  };
  const renameKeys = (o: Record<string, unknown> | undefined, map: (k: string) => string) => {
    if (!o) return;
    for (const k of Object.keys(o)) {
      const to = map(k);
      if (to !== k) {
        o[to] = o[k];
        delete o[k];
      }
    }
  };
  const timing = (k: string) => TIMINGS_RENAMED_IN_3.find(([from]) => from === k)?.[1] ?? k;
  renameKeys(s.metrics, rename);
  renameKeys(s.trend?.tolerances, rename);
  for (const t of s.thresholds ?? []) if (t.metric) t.metric = rename(t.metric);
  const held = s.load?.held;
  if (held) renameKeys(held, (k) => (k === 'firstEcho' ? 'firstRtt' : k === 'messageRtt' ? 'rtt' : k));
  for (const set of s.load?.sets ?? []) renameKeys(set.timings as Record<string, unknown> | undefined, timing);
}
