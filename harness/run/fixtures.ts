import { durationOr, parseDuration } from '../scenario/duration.ts';
import type { ScenarioDoc } from '../scenario/schema.ts';
import type { FixtureGatewayControl } from './phase.ts';

export interface ScenarioFixtures {
  urls: Record<string, string>;
  /**
   * The processes serving the fixtures now: the gateways' and the backend's (their clusters' workers,
   * a real gateway's master and workers), or this process when they run in it.
   */
  processIds(): Promise<number[]>;
  /** Each gateway fixture by name: its reload, a restart on its port, its processes. */
  gateways: Record<string, FixtureGatewayControl>;
  stop(): Promise<void>;
}

/** How each real gateway fixture reloads (fixtures/real-gateways), for reports. */
const RELOAD_HOW: Record<string, string> = {
  reference: 'reload() in place (sessions kept)',
  nginx: 'nginx -s reload',
  caddy: 'POST /load to the admin API',
  haproxy: 'SIGUSR2 to the master (-x socket handover)',
};

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
    ...(opts.limits
      ? {
          limits: Object.fromEntries(
            Object.entries(opts.limits).map(([name, l]) => [
              name,
              {
                ...(l.idle !== undefined ? { idleTimeoutMs: parseDuration(l.idle) } : {}),
                ...(l.drain !== undefined ? { drainTimeoutMs: parseDuration(l.drain) } : {}),
              },
            ]),
          ),
        }
      : {}),
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
    gateways: Object.fromEntries(
      Object.keys(running.gateways).map((name): [string, FixtureGatewayControl] => [
        name,
        {
          reloadHow: RELOAD_HOW[name] ?? 'reload()',
          // Looked up at each call: a restart replaces the gateway.
          reload: async () => {
            const gw = running.gateways[name]!;
            if (!gw.reload) throw new Error(`the ${name} fixture cannot reload`);
            await gw.reload();
          },
          restart: () => running.restart(name),
          processIds: async () => {
            const gw = running.gateways[name]!;
            const own = [...pidsOf(gw), ...((await gw.processIds?.().catch(() => [])) ?? [])];
            return [...new Set(own)];
          },
        },
      ]),
    ),
    stop: () => running.stop(),
  };
}
