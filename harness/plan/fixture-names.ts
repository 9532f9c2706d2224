import { FIXTURE_H2_GATEWAYS, type FixtureGateway } from '../model/fixtures.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';

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
  names.push('auth.requests', 'auth.stats');
  const h2 = (g: FixtureGateway) => spec.http2 === true && FIXTURE_H2_GATEWAYS.includes(g);
  for (const g of gateways) {
    names.push(`gateway.${g}`, `gateway.${g}.baseline`);
    if (h2(g)) names.push(`gateway.${g}.h2`);
  }
  if (h2(gateways[0]!)) names.push('gateway.h2');
  return new Set(names);
}

const REF = /\$\{fixture:([^}]*)\}/g;

/** The fixture names `text` refers to. */
export function fixtureRefs(text: string): string[] {
  return [...text.matchAll(REF)].map((m) => m[1]!);
}
