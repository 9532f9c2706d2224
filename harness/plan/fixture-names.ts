import type { ScenarioDoc } from '../scenario/schema.ts';

/** Gateways a scenario's `fixtures:` block may start (the misbehaving one is for tests, started by hand). */
export const FIXTURE_GATEWAYS = ['reference', 'nginx', 'caddy', 'haproxy'] as const;

/**
 * The `${fixture:<name>}` names the scenario's fixtures will provide, known before they start, so a
 * misspelt name is invalid input (exit 2) instead of a failure after the fixtures came up.
 * fixtures/index.ts names its URLs this way; a test pins that the two agree.
 */
export function fixtureNames(fixtures: ScenarioDoc['fixtures']): Set<string> {
  if (!fixtures) return new Set();
  const spec = typeof fixtures === 'object' ? fixtures : {};
  const gateways = spec.gateways ?? [spec.gateway ?? 'reference'];
  const names = ['gateway', 'gateway.baseline', 'backend', 'backend.record', 'auth', 'auth.control'];
  for (const g of gateways) names.push(`gateway.${g}`, `gateway.${g}.baseline`);
  return new Set(names);
}

const REF = /\$\{fixture:([^}]*)\}/g;

/** The fixture names `text` refers to. */
export function fixtureRefs(text: string): string[] {
  return [...text.matchAll(REF)].map((m) => m[1]!);
}
