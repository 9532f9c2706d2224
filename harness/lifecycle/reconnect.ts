import type { ReconnectPolicy } from '../model/lifecycle.ts';

/**
 * How long a client waits before its reconnect attempt number `attempt` (0 for the first after the
 * loss): immediate 0; fixed `delayMs`; exponential `delayMs` doubled per attempt up to `maxDelayMs`.
 * Jitter spreads each wait by ± `jitter` of itself (`random` in [0, 1)), so clients lost together do
 * not all come back in the same instant.
 */
export function reconnectDelay(p: ReconnectPolicy, attempt: number, random: () => number): number {
  const base =
    p.policy === 'immediate'
      ? 0
      : p.policy === 'fixed'
        ? p.delayMs
        : Math.min(p.maxDelayMs, p.delayMs * 2 ** Math.min(attempt, 30));
  return Math.max(0, base * (1 + p.jitter * (2 * random() - 1)));
}
