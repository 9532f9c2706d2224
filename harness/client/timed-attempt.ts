import type { PlannedCredential, PlannedTarget } from '../plan/plan.ts';
import { serverTimingAuthMs } from '../wire/server-timing.ts';
import type { Attempt } from './batch.ts';
import { attemptWithEvidence } from './evidence-client.ts';

/**
 * An upgrade attempt against `target` with `credential` on `path`, timed to the complete 101 head,
 * with the Server-Timing auth duration when the gateway sends one. Uses the probe's raw-socket
 * client, without echo: the overhead question ends at the upgrade.
 */
export function handshakeAttempt(
  target: PlannedTarget,
  credential: PlannedCredential,
  path: string,
  idPrefix: string,
): Attempt {
  return async (index) => {
    const calledAt = performance.now();
    const evidence = await attemptWithEvidence(target, credential, {
      attemptId: `${idPrefix}-${index}`,
      echoTimeoutMs: 0,
      pathOverride: path,
    });
    const upgradeMs = evidence.timings.upgradeMs;
    return {
      outcome: evidence.outcome,
      upgradedAt: evidence.outcome === 'upgraded' && upgradeMs !== undefined ? calledAt + upgradeMs : undefined,
      authDurMs: serverTimingAuthMs(evidence.headers['server-timing']),
    };
  };
}
