import { type PreparedRequest, prepareRequest, runAttempt } from '../client/load-client.ts';
import type { CredentialCheck } from '../model/lifecycle.ts';
import type { Outcome } from '../model/outcome.ts';
import { expectedOutcomes } from '../outcome/expected.ts';
import type { PlannedCredential } from '../plan/credentials.ts';
import type { CredentialsPlan, LifecycleTarget } from '../plan/lifecycle.ts';
import { KeyPool } from '../wire/accept.ts';
import { checkBase, judged, type LifecycleEnv, pause } from './context.ts';
import { EXPIRY_EXPECTED, REVOCATION_EXPECTED } from './expected.ts';
import { notRunCredential } from './not-run.ts';
import { SessionPool } from './pool.ts';
import { endWords, round, summarizeEnds, TimelineBuilder } from './timeline.ts';

const RAMP_MS = 100;
const CLOSE_TIMEOUT_MS = 2000;

type Kind = 'credential-expiry' | 'credential-revocation';

interface Watched {
  kind: Kind;
  t: LifecycleTarget;
  set: PlannedCredential;
  pool: SessionPool;
  /** When the credential stopped being valid (performance.now()); set once known. */
  invalidAt?: number;
  reconnect?: Outcome;
}

/**
 * Sessions that outlive their credential, on every target at once: sessions with a token minted
 * now that expires during the check, and sessions of a set whose subject is revoked `revokeAfterMs`
 * after they opened, each sending a message every `messageEveryMs`. Watched until `observeMs`
 * past the later of the two moments: which ended, when and how, which still pass traffic; then one
 * new upgrade with each credential, which must be refused. Revocations are undone at the end.
 */
export async function runCredentials(
  targets: readonly LifecycleTarget[],
  plan: CredentialsPlan,
  env: LifecycleEnv,
): Promise<CredentialCheck[]> {
  const startedAt = performance.now();
  const results: CredentialCheck[] = [];
  const watched: Watched[] = [];
  let expiring: PlannedCredential | undefined;
  if (plan.expiring) {
    if (env.mintExpiring) expiring = await env.mintExpiring();
    else
      for (const t of targets) results.push(notRunCredential('credential-expiry', t, plan, 'no way to mint the token'));
  }
  if (plan.revoke && !env.lever.canRevoke)
    for (const t of targets)
      results.push(
        notRunCredential(
          'credential-revocation',
          t,
          plan,
          'nothing can revoke a credential: give authService.control (the bundled auth service) or ' +
            'lifecycle.authHooks.revoke and unrevoke',
        ),
      );
  const pool = (t: LifecycleTarget, set: PlannedCredential) =>
    new SessionPool(prepareRequest(t.target, set), { messageEveryMs: plan.messageEveryMs });
  for (const t of targets) {
    if (expiring) watched.push({ kind: 'credential-expiry', t, set: expiring, pool: pool(t, expiring) });
    if (plan.revoke && env.lever.canRevoke)
      watched.push({ kind: 'credential-revocation', t, set: plan.revoke.set, pool: pool(t, plan.revoke.set) });
  }
  if (watched.length === 0) return results;
  let revoked = false;
  let revokeError: string | undefined;
  try {
    await Promise.all(watched.map((w) => w.pool.openSessions(plan.connections, RAMP_MS, env.signal)));
    const openAt = performance.now();
    // The token's expiry is a moment of the wall clock (its `exp` claim, in whole seconds).
    const expiresAt = expiring?.expiresAt !== undefined ? openAt + (expiring.expiresAt - Date.now()) : undefined;
    for (const w of watched) if (w.kind === 'credential-expiry') w.invalidAt = expiresAt;
    let revokeAt = plan.revoke ? openAt + plan.revokeAfterMs : undefined;
    if (revokeAt !== undefined && watched.some((w) => w.kind === 'credential-revocation')) {
      await pause(revokeAt - performance.now(), env.signal);
      if (!env.signal.aborted) {
        try {
          await env.lever.revoke(plan.revoke!.set.name, plan.revoke!.subject);
          revoked = true;
        } catch (err) {
          revokeError = (err as Error).message;
        }
        // The credential is revoked once the auth service (or the hook) said so: the watch counts from then.
        revokeAt = performance.now();
        for (const w of watched) if (w.kind === 'credential-revocation') w.invalidAt = revokeAt;
      }
    }
    const last = Math.max(expiresAt ?? 0, revokeAt ?? 0);
    await pause(last + plan.observeMs - performance.now(), env.signal);
    const watchEnd = performance.now();
    if (!env.signal.aborted) await Promise.all(watched.map((w) => reconnectOnce(w)));
    for (const w of watched) results.push(judge(w, plan, startedAt, openAt, watchEnd, revokeError));
  } finally {
    await Promise.all(watched.map((w) => w.pool.closeAll(CLOSE_TIMEOUT_MS)));
    for (const w of watched) w.pool.destroy();
    if (revoked || revokeError) await env.lever.unrevoke().catch(() => undefined);
  }
  return results;
}

/** One new upgrade with the credential, after it stopped being valid. */
function reconnectOnce(w: Watched): Promise<void> {
  return new Promise((resolve) => {
    const spec: PreparedRequest = prepareRequest(w.t.target, w.set);
    runAttempt(spec, new KeyPool(1), (r) => {
      w.reconnect = r.outcome;
      resolve();
    });
  });
}

function judge(
  w: Watched,
  plan: CredentialsPlan,
  startedAt: number,
  openAt: number,
  watchEnd: number,
  revokeError: string | undefined,
): CredentialCheck {
  const name = w.t.target.name;
  const invalidAt = w.invalidAt ?? watchEnd;
  const opened = w.pool.sessions.filter((s) => s.openedAt !== undefined);
  const endedBefore = opened.filter((s) => s.end && s.end.at < invalidAt);
  const ends = opened.flatMap((s) =>
    s.end && s.end.at >= invalidAt ? [{ afterMs: s.end.at - invalidAt, how: s.end.how, code: s.end.code }] : [],
  );
  const outlived = opened.filter((s) => s.state === 'open').length;
  const traffic = opened.flatMap((s) => (s.lastEchoAt !== undefined ? [s.lastEchoAt - invalidAt] : []));
  const trafficAfterMs = traffic.length > 0 && Math.max(...traffic) > 0 ? round(Math.max(...traffic)) : undefined;
  const outlives = plan.outlives(name);
  const moment = w.kind === 'credential-expiry' ? 'its token expired' : 'it was revoked';
  const expected = expectedOutcomes(w.t.target, 401);
  const failures: string[] = [];
  const findings: string[] = [];
  if (revokeError && w.kind === 'credential-revocation') failures.push(`the revocation failed: ${revokeError}`);
  if (w.invalidAt === undefined) failures.push('the watch stopped before the credential stopped being valid');
  if (opened.length < plan.connections) failures.push(`only ${opened.length} of ${plan.connections} sessions upgraded`);
  if (endedBefore.length > 0)
    failures.push(`${endedBefore.length} session(s) ended before ${moment}, while the credential was valid`);
  if (outlived > 0) {
    const line =
      `${outlived} of ${opened.length} sessions still open ${((watchEnd - invalidAt) / 1000).toFixed(1)} s after ` +
      `${moment}${trafficAfterMs !== undefined ? `, traffic flowing ${secs(trafficAfterMs)} s after it` : ''}`;
    (outlives === 'fail' ? failures : findings).push(line);
  }
  const allowed = w.reconnect === 'upgraded';
  if (w.reconnect !== undefined && !expected.includes(w.reconnect))
    failures.push(
      `a new upgrade after ${moment} got ${w.reconnect}${allowed ? ': the gateway let it in' : ''}, ` +
        `not ${expected.join(' or ')}`,
    );
  const summary = summarizeEnds(ends);
  const observed =
    `${opened.length} sessions: ${summary.count} ended after ${moment}` +
    `${summary.count ? ` (${endWords(summary)})` : ''}, ${outlived} still open at ` +
    `${((watchEnd - invalidAt) / 1000).toFixed(1)} s` +
    `${trafficAfterMs !== undefined ? `, traffic ${(trafficAfterMs / 1000).toFixed(1)} s after` : ''}; ` +
    `new upgrade: ${w.reconnect ?? 'not tried'}`;
  const timeline = new TimelineBuilder(startedAt, watchEnd - startedAt + 250);
  timeline.level('open sessions', (at) => opened.filter((s) => s.openedAt! <= at && !(s.end && s.end.at <= at)).length);
  for (const s of opened) if (s.end) timeline.count('ended', s.end.at);
  timeline.mark(openAt, 'sessions open');
  if (w.invalidAt !== undefined)
    timeline.mark(w.invalidAt, w.kind === 'credential-expiry' ? 'token expires' : 'revoked');
  return {
    check: w.kind,
    ...checkBase(w.t, startedAt),
    ...judged(name, plan.tolerate, failures, findings),
    expected: w.kind === 'credential-expiry' ? EXPIRY_EXPECTED : REVOCATION_EXPECTED,
    observed,
    credential: w.kind === 'credential-expiry' ? (plan.expiring?.set.name ?? w.set.name) : w.set.name,
    invalidAtMs: round(invalidAt - openAt),
    sessions: plan.connections,
    opened: opened.length,
    ended: summary,
    outlived,
    ...(trafficAfterMs !== undefined ? { trafficAfterMs } : {}),
    watchedMs: round(watchEnd - invalidAt),
    ...(w.reconnect !== undefined ? { reconnect: { outcome: w.reconnect, expected, allowed } } : {}),
    outlives,
    timeline: timeline.build(),
  };
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
