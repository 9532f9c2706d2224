import { durationOr } from '../scenario/duration.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';

export interface ScenarioFixtures {
  urls: Record<string, string>;
  /**
   * The processes serving the fixtures now: the gateways' and the backend's (their clusters' workers,
   * a real gateway's master and workers), or this process when they run in it.
   */
  processIds(): Promise<number[]>;
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
    http2: opts.http2,
    ...(opts.sessionRecheck !== undefined ? { sessionRecheckMs: durationOr(opts.sessionRecheck, 2000) } : {}),
    ...(opts.authCache !== undefined ? { authCacheMs: durationOr(opts.authCache, 0) } : {}),
    variants: opts.variants,
    backend: opts.backend,
  });
  const pidsOf = (x: object): number[] => ('pids' in x && Array.isArray(x.pids) ? (x.pids as number[]) : []);
  return {
    urls: running.urls,
    processIds: async () => {
      const ids = new Set<number>();
      for (const g of Object.values(running.gateways)) {
        const own = [...pidsOf(g), ...((await g.processIds?.().catch(() => [])) ?? [])];
        // A gateway without processes of its own runs in this one.
        for (const pid of own.length > 0 ? own : [process.pid]) ids.add(pid);
      }
      const backend = pidsOf(running.backend);
      for (const pid of backend.length > 0 ? backend : [process.pid]) ids.add(pid);
      return [...ids];
    },
    stop: () => running.stop(),
  };
}
