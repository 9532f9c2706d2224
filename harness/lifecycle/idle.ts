import { prepareRequest } from '../client/load-client.ts';
import type { IdleCheck, IdleGroup } from '../model/lifecycle.ts';
import type { PlannedCredential } from '../plan/credentials.ts';
import type { IdlePlan, LifecycleTarget } from '../plan/lifecycle.ts';
import { checkBase, judged, type LifecycleEnv, waitUntil } from './context.ts';
import { idleExpected } from './expected.ts';
import { SessionPool } from './pool.ts';
import { endWords, summarizeEnds, TimelineBuilder } from './timeline.ts';

const RAMP_MS = 200;
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Idle survival on every target at once: `connections` upgraded connections held silent (and as
 * many sending a ping every `pingEveryMs`), watched for at most `maxMs`: when and how each ended.
 */
export async function runIdle(
  targets: readonly LifecycleTarget[],
  credential: PlannedCredential,
  plan: IdlePlan,
  env: LifecycleEnv,
): Promise<IdleCheck[]> {
  const startedAt = performance.now();
  const runs = targets.map((t) => {
    const silent = new SessionPool(prepareRequest(t.target, credential));
    const pinging =
      plan.pingEveryMs > 0
        ? new SessionPool(prepareRequest(t.target, credential), { pingEveryMs: plan.pingEveryMs })
        : undefined;
    return { t, silent, pinging };
  });
  const pools = runs.flatMap((r) => (r.pinging ? [r.silent, r.pinging] : [r.silent]));
  try {
    await Promise.all(pools.map((p) => p.openSessions(plan.connections, RAMP_MS, env.signal)));
    const watchFrom = performance.now();
    await waitUntil(() => pools.every((p) => p.open === 0), plan.maxMs, env.signal, 50);
    const watchedMs = performance.now() - watchFrom;
    const results = runs.map((r) => judge(r.t, plan, r.silent, r.pinging, startedAt, watchFrom, watchedMs));
    return results;
  } finally {
    await Promise.all(pools.map((p) => p.closeAll(CLOSE_TIMEOUT_MS)));
    for (const p of pools) p.destroy();
  }
}

function group(kind: 'silent' | 'ping', pool: SessionPool, plan: IdlePlan): IdleGroup {
  const opened = pool.sessions.filter((s) => s.openedAt !== undefined);
  const ends = opened.flatMap((s) =>
    s.end ? [{ afterMs: s.end.at - s.openedAt!, how: s.end.how, code: s.end.code }] : [],
  );
  const before = plan.mustSurviveMs ?? Number.POSITIVE_INFINITY;
  return {
    kind,
    ...(kind === 'ping' ? { pingEveryMs: plan.pingEveryMs, pongs: opened.reduce((n, s) => n + s.pongs, 0) } : {}),
    connections: plan.connections,
    opened: opened.length,
    survived: opened.filter((s) => s.state === 'open').length,
    ends: summarizeEnds(ends),
    droppedBefore: ends.filter((e) => e.afterMs < before).length,
  };
}

function judge(
  t: LifecycleTarget,
  plan: IdlePlan,
  silent: SessionPool,
  pinging: SessionPool | undefined,
  startedAt: number,
  watchFrom: number,
  watchedMs: number,
): IdleCheck {
  const groups = [group('silent', silent, plan), ...(pinging ? [group('ping', pinging, plan)] : [])];
  const failures: string[] = [];
  const words = groups.map((g) => {
    const name = g.kind === 'silent' ? 'silent' : `ping every ${(g.pingEveryMs ?? 0) / 1000} s`;
    const ended = g.ends.count > 0 ? `${g.ends.count} of ${g.opened} ended ${endWords(g.ends)}` : 'none ended';
    if (g.opened < g.connections) failures.push(`${name}: only ${g.opened} of ${g.connections} connections upgraded`);
    if (g.droppedBefore > 0)
      failures.push(
        `${name}: ${g.droppedBefore} of ${g.opened} cut before ${
          plan.mustSurviveMs !== undefined ? `${plan.mustSurviveMs / 1000} s` : 'the watch ended'
        } (${endWords(g.ends)})`,
      );
    return `${name}: ${ended}, ${g.survived} open at ${(watchedMs / 1000).toFixed(1)} s`;
  });
  const timeline = new TimelineBuilder(startedAt, performance.now() - startedAt);
  for (const [label, pool] of [
    ['open (silent)', silent],
    ['open (pinging)', pinging],
  ] as const) {
    if (!pool) continue;
    const opened = pool.sessions.filter((s) => s.openedAt !== undefined);
    timeline.level(label, (at) => opened.filter((s) => s.openedAt! <= at && !(s.end && s.end.at <= at)).length);
    for (const s of opened) if (s.end) timeline.count('ended', s.end.at);
  }
  timeline.mark(watchFrom, 'all open');
  if (plan.mustSurviveMs !== undefined) timeline.mark(watchFrom + plan.mustSurviveMs, 'must survive');
  return {
    check: 'idle',
    ...checkBase(t, startedAt),
    ...judged(t.target.name, plan.tolerate, failures),
    expected: idleExpected(plan),
    observed: words.join('; '),
    maxMs: plan.maxMs,
    ...(plan.mustSurviveMs !== undefined ? { mustSurviveMs: plan.mustSurviveMs } : {}),
    groups,
    timeline: timeline.build(),
  };
}
