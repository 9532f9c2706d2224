import type { ScenarioDoc } from '../../scenario/schema.ts';

/** k6 scenarios (and the exec functions they need) for the scenario's `load:` block. */
export interface LoadExport {
  scenarios: Record<string, unknown>;
  /** Extra exported functions the scenarios name in `exec`. */
  functions: string;
}

/**
 * Map the `load:` block to k6 executors. Until the load engine's block is final, a scenario with
 * a load block gets a warning rather than a silent drop.
 */
export function exportLoad(doc: ScenarioDoc, warnings: string[]): LoadExport {
  if (doc.load !== undefined) warnings.push('the load: block is not mapped to k6 executors yet; only conformance is exported');
  return { scenarios: {}, functions: '' };
}
