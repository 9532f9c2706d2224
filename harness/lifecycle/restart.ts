import { readAuthStats } from '../client/auth-lever.ts';
import { prepareRequest } from '../client/load-client.ts';
import { LatencyRecorder } from '../metrics/latency-recorder.ts';
import type { AuthDuringWindow, RestartCheck } from '../model/lifecycle.ts';
import type { Outcome } from '../model/outcome.ts';
import type { PlannedCredential } from '../plan/credentials.ts';
import type { LifecycleTarget, RestartPlan } from '../plan/lifecycle.ts';
import { seededRandom } from '../stats/random.ts';
import { checkBase, type GatewayActions, judged, type LifecycleEnv, pause, waitUntil } from './context.ts';
import { RESTART_EXPECTED } from './expected.ts';
import { notRunRestart } from './not-run.ts';
import { SessionPool } from './pool.ts';
import { outcomeWords, round, TimelineBuilder } from './timeline.ts';

const CLOSE_TIMEOUT_MS = 3000;
/** Quiet time after the last session opened, before the restart. */
const SETTLE_MS = 300;
/** After the restart (or the backend's close), how long lost sessions may still be announced before all count. */
const GRACE_MS = 500;
/** What the bundled echo backend obeys: close the session with 1012 (service restart). */
const BACKEND_CLOSE = '__wsgate:close 1012 wsgate restart storm';

/**
 * A restart and the reconnect storm after it, on one target: `connections` sessions held; the
 * target restarted (or every session closed by the echo backend); each lost one reconnects by the
 * policy until all are back or `withinMs` passed. When they were back (99%, 100%), which attempts
 * failed and how, and what the auth service saw meanwhile.
 */
export async function runRestart(
  t: LifecycleTarget,
  credential: PlannedCredential,
  plan: RestartPlan,
  actions: GatewayActions | undefined,
  env: LifecycleEnv,
  authStatsUrl: string | undefined,
): Promise<RestartCheck> {
  if (plan.cause === 'restart' && !actions?.restart)
    return notRunRestart(
      t,
      plan,
      `no restart for ${t.target.name}: add lifecycle.gatewayHooks.${t.target.name}.restart`,
    );
  const startedAt = performance.now();
  const pool = new SessionPool(prepareRequest(t.target, credential), {
    sourceAddresses: plan.sourceAddresses,
    random: seededRandom(plan.connections),
  });
  let restartAt = 0;
  let restartEpoch = 0;
  let restartMs: number | undefined;
  let restartError: string | undefined;
  let endedAt = 0;
  try {
    await pool.openSessions(plan.connections, plan.rampUpMs, env.signal);
    const held = pool.open;
    await pause(SETTLE_MS, env.signal);
    restartAt = performance.now();
    restartEpoch = Date.now();
    pool.reconnectFrom(plan.reconnect, restartAt + plan.withinMs);
    let restarted = plan.cause !== 'restart';
    const restarting =
      plan.cause === 'restart'
        ? actions!.restart!().then(
            () => {
              restartMs = round(performance.now() - restartAt);
              restarted = true;
            },
            (err: Error) => {
              restartError = err.message;
              restarted = true;
            },
          )
        : Promise.resolve();
    if (plan.cause === 'backend-close') pool.sendAll(BACKEND_CLOSE);
    // Done when the restart is over, a grace has passed for the last losses to show, and nobody is away.
    await waitUntil(
      () =>
        restarted &&
        performance.now() - restartAt >= GRACE_MS &&
        pool.sessions.every((s) => s.state !== 'waiting' && s.state !== 'connecting'),
      plan.withinMs,
      env.signal,
      20,
    );
    endedAt = performance.now();
    pool.stopReconnecting();
    // A restart that outlasted the bound still has to finish before anything else runs.
    await restarting;
    const auth = authStatsUrl ? await authDuring(authStatsUrl, restartEpoch, Date.now()) : undefined;
    return judge(t, plan, actions, pool, held, {
      startedAt,
      restartAt,
      endedAt,
      restartMs,
      restartError,
      auth,
    });
  } finally {
    await pool.closeAll(CLOSE_TIMEOUT_MS);
    pool.destroy();
  }
}

/** The bundled auth service's seconds from `fromEpoch` to `toEpoch` (ms): requests, busiest second, worst p95. */
async function authDuring(url: string, fromEpoch: number, toEpoch: number): Promise<AuthDuringWindow | undefined> {
  const stats = await readAuthStats(url);
  if (!stats) return undefined;
  const from = Math.floor(fromEpoch / 1000);
  const to = Math.floor(toEpoch / 1000);
  const seconds = stats.perSecond.filter((s) => s.t >= from && s.t <= to);
  const p95s = seconds.flatMap((s) => (s.p95Ms === null ? [] : [s.p95Ms]));
  return {
    requests: seconds.reduce((n, s) => n + s.requests, 0),
    peakPerSecond: seconds.reduce((m, s) => Math.max(m, s.requests), 0),
    ...(p95s.length > 0 ? { p95Ms: Math.max(...p95s) } : {}),
    perSecond: seconds.map((s) => ({ second: s.t - from, requests: s.requests, p95Ms: s.p95Ms })),
  };
}

interface Moments {
  startedAt: number;
  restartAt: number;
  endedAt: number;
  restartMs?: number;
  restartError?: string;
  auth?: AuthDuringWindow;
}

function judge(
  t: LifecycleTarget,
  plan: RestartPlan,
  actions: GatewayActions | undefined,
  pool: SessionPool,
  held: number,
  m: Moments,
): RestartCheck {
  const lost = pool.sessions.filter((s) => s.lostAt !== undefined);
  const backTimes = lost
    .flatMap((s) => (s.backAt !== undefined && s.state === 'open' ? [s.backAt - m.restartAt] : []))
    .sort((a, b) => a - b);
  const dropped = lost.length;
  const back = backTimes.length;
  const need99 = Math.ceil(dropped * 0.99);
  const back99Ms = dropped > 0 && back >= need99 ? round(backTimes[need99 - 1]!) : undefined;
  const back100Ms = dropped > 0 && back === dropped ? round(backTimes[dropped - 1]!) : undefined;
  const reconnects = pool.events.filter((e) => (e.kind === 'upgraded' || e.kind === 'failed') && e.reconnect);
  const failedByOutcome: Partial<Record<Outcome, number>> = {};
  const handshake = new LatencyRecorder();
  for (const e of reconnects) {
    if (e.kind === 'failed') failedByOutcome[e.outcome] = (failedByOutcome[e.outcome] ?? 0) + 1;
    else if (e.kind === 'upgraded') handshake.record(e.handshakeMs);
  }
  const failedUpgrades = reconnects.filter((e) => e.kind === 'failed').length;
  const gaveUp = lost.filter((s) => s.state === 'gave_up').length;
  const failures: string[] = [];
  const findings: string[] = [];
  if (m.restartError) failures.push(`the restart failed: ${m.restartError}`);
  if (held < plan.connections)
    failures.push(`only ${held} of ${plan.connections} sessions upgraded before the restart`);
  if (dropped - back > 0)
    failures.push(
      `${dropped - back} of ${dropped} lost sessions not back within ${plan.withinMs / 1000} s` +
        `${gaveUp ? ` (${gaveUp} gave up after ${plan.reconnect.maxAttempts} attempts)` : ''}`,
    );
  if (dropped === 0 && held > 0) findings.push('no session was lost: the restart kept every session');
  const s = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
  const auth = m.auth
    ? `; auth service ${m.auth.requests} requests, busiest second ${m.auth.peakPerSecond}` +
      `${m.auth.p95Ms !== undefined ? `, p95 up to ${m.auth.p95Ms} ms` : ''}`
    : '';
  const observed =
    `${dropped} of ${held} sessions lost, ${back} back (99% after ${s(back99Ms)}, all after ${s(back100Ms)})` +
    `${m.restartMs !== undefined ? `; restart took ${s(m.restartMs)}` : ''}; ` +
    `${reconnects.length} reconnect attempts, ` +
    `${failedUpgrades} failed${failedUpgrades ? ` (${outcomeWords(failedByOutcome)})` : ''}${auth}`;
  const timeline = new TimelineBuilder(m.startedAt, Math.max(1, m.endedAt - m.startedAt) + 500);
  timeline.level('open sessions', (at) => openAt(pool, at));
  for (const e of pool.events) {
    if (e.kind === 'ended') timeline.count('lost', e.at);
    else if (e.kind === 'upgraded' && e.reconnect) timeline.count('reconnected', e.at);
    else if (e.kind === 'failed' && e.reconnect) timeline.count('failed attempts', e.at);
  }
  if (m.auth) {
    const epochAtOrigin = Date.now() - (performance.now() - m.startedAt);
    const from = Math.floor((epochAtOrigin + (m.restartAt - m.startedAt)) / 1000);
    timeline.perSecond(
      'auth requests/s',
      m.auth.perSecond.map((x) => ({ epochSecond: from + x.second, value: x.requests })),
      epochAtOrigin,
    );
  }
  timeline.mark(m.restartAt, plan.cause === 'restart' ? 'restart' : 'backend closes');
  if (m.restartMs !== undefined) timeline.mark(m.restartAt + m.restartMs, 'serving again');
  if (back99Ms !== undefined) timeline.mark(m.restartAt + back99Ms, '99% back');
  if (back100Ms !== undefined) timeline.mark(m.restartAt + back100Ms, 'all back');
  const summary = handshake.summary();
  handshake.destroy();
  return {
    check: 'restart',
    ...checkBase(t, m.startedAt),
    ...judged(t.target.name, plan.tolerate, failures, findings),
    expected: RESTART_EXPECTED,
    observed,
    cause: plan.cause,
    action:
      plan.cause === 'restart'
        ? (actions?.describe.restart ?? 'restart')
        : 'the echo backend closes every session (1012)',
    reconnect: plan.reconnect,
    held,
    dropped,
    back,
    notBack: dropped - back,
    gaveUp,
    ...(back99Ms !== undefined ? { back99Ms } : {}),
    ...(back100Ms !== undefined ? { back100Ms } : {}),
    ...(m.restartMs !== undefined ? { restartMs: m.restartMs } : {}),
    reconnectAttempts: reconnects.length,
    failedUpgrades,
    failedByOutcome,
    ...(summary ? { handshake: summary } : {}),
    ...(m.auth ? { auth: m.auth } : {}),
    timeline: timeline.build(),
  };
}

/** Sessions open at `at`, from the pool's upgrade and end events. */
function openAt(pool: SessionPool, at: number): number {
  let open = 0;
  for (const e of pool.events) {
    if (e.at > at) break;
    if (e.kind === 'upgraded') open++;
    else if (e.kind === 'ended') open--;
  }
  return open;
}
