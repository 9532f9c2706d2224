import { durationOr } from '../scenario/duration.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';

export interface ScenarioFixtures {
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/** Start what a scenario's `fixtures:` block asks for. */
export async function startScenarioFixtures(spec: NonNullable<ScenarioDoc['fixtures']>): Promise<ScenarioFixtures> {
  const opts = typeof spec === 'object' ? spec : {};
  // Loaded on demand: runs against a user's own gateway never load the fixtures.
  const { startFixtures } = await import('../../fixtures/index.ts');
  const running = await startFixtures({
    gateway: opts.gateway ?? 'reference',
    gateways: opts.gateways,
    authTimeoutMs: durationOr(opts.authTimeout, 1000),
    processes: opts.processes,
  });
  return { urls: running.urls, stop: () => running.stop() };
}
