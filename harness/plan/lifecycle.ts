import { FIXTURE_GATEWAYS, FIXTURE_VARIANTS, type FixtureGateway, fixtureDrainDeadlineMs } from '../model/fixtures.ts';
import type { ReconnectPolicy } from '../model/lifecycle.ts';
import { expectedOutcomes } from '../outcome/expected.ts';
import { durationOr, parseDuration } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import type { CredentialDoc } from '../scenario/schema.ts';
import type { CredentialInfo, PlannedCredential } from './credentials.ts';
import { fixtureRefs } from './fixture-names.ts';
import type { Problems } from './problems.ts';
import { type HostLimits, planSpread, SpreadError, type SpreadPlan } from './spread.ts';
import { checkFixtureRefs, type PlannedTarget, resolveOrReport, type TargetInfo } from './targets.ts';

/** One target of the lifecycle checks, with what can reload and restart it. */
export interface LifecycleTarget<T extends TargetInfo = PlannedTarget> {
  target: T;
  /** The bundled gateway fixture the target's URL names, and its configuration variant. */
  gateway?: FixtureGateway;
  variant?: string;
  /** Shell commands for a gateway of the user's own (`lifecycle.gatewayHooks.<target>`). */
  hooks?: { reload?: string; restart?: string };
  /** How long its old processes may keep sessions after a reload (known for fixtures, or the scenario's). */
  drainDeadlineMs?: number;
}

export interface IdlePlan {
  connections: number;
  /** 0: no pinging group. */
  pingEveryMs: number;
  maxMs: number;
  mustSurviveMs?: number;
  tolerate: string[];
}

export interface ReloadPlan {
  connections: number;
  rampUpMs: number;
  messageEveryMs: number;
  arrivalRate: number;
  atMs: number;
  observeMs: number;
  maxInFlight: number;
  spread: SpreadPlan;
  tolerate: string[];
}

export interface RestartPlan {
  connections: number;
  rampUpMs: number;
  cause: 'restart' | 'backend-close';
  reconnect: ReconnectPolicy;
  withinMs: number;
  /** Source addresses the held connections rotate over (loopback past one address pair's ports). */
  sourceAddresses: string[];
  tolerate: string[];
}

export interface CredentialsPlan<C extends CredentialInfo = PlannedCredential> {
  /** A JWT set, and the lifetime of the token the check mints. */
  expiring?: { set: C; index: number; lifetimeMs: number };
  /** A set whose subject is revoked; `subject` is a credential value (a secret): it goes to the auth service only. */
  revoke?: { set: C; subject: string };
  revokeAfterMs: number;
  connections: number;
  messageEveryMs: number;
  observeMs: number;
  outlives(target: string): 'fail' | 'finding';
  tolerate: string[];
}

export interface AuthPressurePlan<C extends CredentialInfo = PlannedCredential> {
  ladderMs: number[];
  stepMs: number;
  rate: number;
  allowed: C;
  denied?: C;
  spread: SpreadPlan;
  tolerate: string[];
}

/** The `lifecycle:` block resolved against the targets and credential sets. */
export interface LifecyclePlan<T extends TargetInfo = PlannedTarget, C extends CredentialInfo = PlannedCredential> {
  targets: Array<LifecycleTarget<T>>;
  /** The set held by idle, reload and restart. */
  credential: C;
  idle?: IdlePlan;
  reload?: ReloadPlan;
  restart?: RestartPlan;
  credentials?: CredentialsPlan<C>;
  authPressure?: AuthPressurePlan<C>;
  authHooks: { revoke?: string; unrevoke?: string; delay?: string };
  /** The bundled auth service's counters, when known. */
  authStatsUrl?: string;
  onSaturation: 'fail' | 'warn';
}

const DEFAULT_MAX_IN_FLIGHT = 1000;
/** A token living longer than this would make the expiry check wait for it. */
const MAX_LIFETIME_MS = 10 * 60_000;
const MAX_WATCH_MS = 30 * 60_000;

/**
 * The `lifecycle:` block checked and resolved: targets and their fixture gateways or hooks, the held
 * set, every check's settings with their defaults, and how the loads it runs spread over this host.
 * Each problem is added at its field; undefined without a block or with any problem.
 */
export function planLifecycle<T extends TargetInfo, C extends CredentialInfo>(
  scenario: Scenario,
  targets: readonly T[],
  credentials: readonly C[],
  problems: Problems,
  limits?: HostLimits,
  fixtureUrls: Record<string, string> = {},
): LifecyclePlan<T, C> | undefined {
  const block = scenario.doc.lifecycle;
  if (!block) return undefined;
  const before = problems.list.length;
  const add = (path: Array<string | number>, message: string, key = false) =>
    problems.add(['lifecycle', ...path], message, key);
  const gateways = targets.filter((t) => !t.baseline);
  const chosen: T[] = [];
  (block.targets ?? gateways.map((t) => t.name)).forEach((name, i) => {
    const t = gateways.find((x) => x.name === name);
    if (t) chosen.push(t);
    else add(['targets', i], `no gateway target is named "${name}" (known: ${gateways.map((x) => x.name).join(', ')})`);
  });
  const names = chosen.map((t) => t.name);
  const checkTargetNames = (path: Array<string | number>, list: readonly string[] | undefined) =>
    (list ?? []).forEach((name, i) => {
      if (!names.includes(name))
        add([...path, i], `"${name}" is not a lifecycle target (targets: ${names.join(', ') || 'none'})`);
    });
  for (const name of Object.keys(block.gatewayHooks ?? {})) {
    if (!names.includes(name))
      add(['gatewayHooks', name], `"${name}" is not a lifecycle target (targets: ${names.join(', ')})`, true);
  }
  const fixtures = typeof scenario.doc.fixtures === 'object' ? scenario.doc.fixtures : {};
  const started: string[] = scenario.doc.fixtures ? (fixtures.gateways ?? [fixtures.gateway ?? 'reference']) : [];
  const drainOf = (g: FixtureGateway) => fixtures.limits?.[g]?.drain;
  const lifecycleTargets = chosen.map((t): LifecycleTarget<T> => {
    const index = scenario.doc.targets.findIndex((d) => d.name === t.name);
    const gateway = fixtureGatewayOf(scenario.doc.targets[index]?.url ?? '', started);
    const hooks = block.gatewayHooks?.[t.name];
    const variant = gateway ? (fixtures.variants?.[gateway] ?? FIXTURE_VARIANTS[gateway][0]!) : undefined;
    const drain = drainOf(gateway ?? 'reference');
    const drainDeadlineMs = gateway
      ? fixtureDrainDeadlineMs(gateway, variant!, drain === undefined ? undefined : parseDuration(drain))
      : block.reload?.drainDeadline !== undefined
        ? parseDuration(block.reload.drainDeadline)
        : undefined;
    return {
      target: t,
      ...(gateway ? { gateway, variant } : {}),
      ...(hooks ? { hooks } : {}),
      ...(drainDeadlineMs !== undefined ? { drainDeadlineMs } : {}),
    };
  });

  const upgradesEverywhere = (c: C) =>
    chosen.every((t) => expectedOutcomes(t, c.expect).includes('upgraded')) && c.authState === 'ok';
  const setNamed = (path: Array<string | number>, name: string | undefined, what: string): C | undefined => {
    if (name === undefined) return undefined;
    const c = credentials.find((x) => x.name === name);
    if (!c) add(path, `no credential set is named "${name}" (known: ${credentials.map((x) => x.name).join(', ')})`);
    else if (!upgradesEverywhere(c)) add(path, `"${name}" must be a set ${what}`);
    return c;
  };
  const mustUpgrade = 'every lifecycle target upgrades (expect 200, auth service ok)';
  const credential = block.credential
    ? setNamed(['credential'], block.credential, mustUpgrade)
    : credentials.find(upgradesEverywhere);
  if (!credential && !block.credential)
    add([], 'no credential set expects 200 with the auth service ok on every lifecycle target: nothing to hold');

  const fixturesRun = scenario.doc.fixtures !== undefined && scenario.doc.fixtures !== false;
  if (block.authStats !== undefined) checkFixtureRefs(scenario, block.authStats, ['lifecycle', 'authStats'], problems);
  // Resolved once the fixtures run (buildPlan); validation only checks the references.
  const resolving = Object.keys(fixtureUrls).length > 0;
  const authStatsUrl =
    block.authStats !== undefined
      ? resolving
        ? resolveOrReport(block.authStats, fixtureUrls, ['lifecycle', 'authStats'], problems)
        : undefined
      : fixturesRun
        ? fixtureUrls['auth.stats']
        : undefined;

  const spreadFor = (path: Array<string | number>, held: number, workers: number): SpreadPlan | undefined => {
    try {
      return planSpread(
        {
          held,
          maxInFlight: DEFAULT_MAX_IN_FLIGHT,
          workers,
          destinations: chosen.map((t) => t.destination),
        },
        limits,
      );
    } catch (err) {
      if (!(err instanceof SpreadError)) throw err;
      add(path, err.message.replace(/load\.workers/g, 'lifecycle.workers'));
      return undefined;
    }
  };
  const workers = block.workers ?? 1;

  let idle: IdlePlan | undefined;
  if (block.idle) {
    const b = block.idle;
    const maxMs = parseDuration(b.max);
    const mustSurviveMs = b.mustSurvive === undefined ? undefined : parseDuration(b.mustSurvive);
    if (mustSurviveMs !== undefined && mustSurviveMs > maxMs)
      add(['idle', 'mustSurvive'], `${b.mustSurvive} is longer than the watch (max ${b.max})`);
    if (maxMs <= 0 || maxMs > MAX_WATCH_MS) add(['idle', 'max'], 'give a watch above 0s and at most 30m');
    checkTargetNames(['idle', 'tolerate'], b.tolerate);
    idle = {
      connections: b.connections ?? 3,
      pingEveryMs: durationOr(b.pingEvery, 0),
      maxMs,
      ...(mustSurviveMs !== undefined ? { mustSurviveMs } : {}),
      tolerate: b.tolerate ?? [],
    };
  }

  let reload: ReloadPlan | undefined;
  if (block.reload) {
    const b = block.reload;
    checkTargetNames(['reload', 'tolerate'], b.tolerate);
    const connections = b.connections ?? 50;
    const spread = spreadFor(['reload', 'connections'], connections, workers);
    const observeMs = durationOr(b.observe, 3000);
    if (observeMs <= 0 || observeMs > MAX_WATCH_MS) add(['reload', 'observe'], 'give a watch above 0s and at most 30m');
    if (spread)
      reload = {
        connections,
        rampUpMs: durationOr(b.rampUp, 1000),
        messageEveryMs: durationOr(b.messageEvery, 500),
        arrivalRate: b.arrivalRate ?? 20,
        atMs: durationOr(b.at, 1000),
        observeMs,
        maxInFlight: DEFAULT_MAX_IN_FLIGHT,
        spread,
        tolerate: b.tolerate ?? [],
      };
  }

  let restart: RestartPlan | undefined;
  if (block.restart) {
    const b = block.restart;
    checkTargetNames(['restart', 'tolerate'], b.tolerate);
    const connections = b.connections ?? 200;
    // The storm's clients live in this process: one worker's descriptors and ports.
    const spread = spreadFor(['restart', 'connections'], connections, 1);
    const r = b.reconnect;
    const delayMs = durationOr(r?.delay, 100);
    const maxDelayMs = durationOr(r?.maxDelay, 2000);
    if (maxDelayMs < delayMs) add(['restart', 'reconnect', 'maxDelay'], `shorter than delay (${r?.delay ?? '100ms'})`);
    const withinMs = durationOr(b.within, 30_000);
    if (withinMs <= 0 || withinMs > MAX_WATCH_MS) add(['restart', 'within'], 'give a bound above 0s and at most 30m');
    if (spread)
      restart = {
        connections,
        rampUpMs: durationOr(b.rampUp, 1000),
        cause: b.cause ?? 'restart',
        reconnect: {
          policy: r?.policy ?? 'exponential',
          delayMs,
          maxDelayMs,
          jitter: r?.jitter ?? 0.5,
          maxAttempts: r?.maxAttempts ?? 50,
        },
        withinMs,
        sourceAddresses: spread.sourceAddresses[0] ?? [],
        tolerate: b.tolerate ?? [],
      };
  }

  let creds: CredentialsPlan<C> | undefined;
  if (block.credentials) {
    const b = block.credentials;
    checkTargetNames(['credentials', 'tolerate'], b.tolerate);
    if (!b.expiring && !b.revoke) add(['credentials'], 'give expiring (a JWT set), revoke (a set to revoke), or both');
    let expiring: CredentialsPlan<C>['expiring'];
    if (b.expiring !== undefined) {
      const set = setNamed(['credentials', 'expiring'], b.expiring, `that ${mustUpgrade}, with a jwt`);
      const index = scenario.doc.credentials.findIndex((c) => c.name === b.expiring);
      const doc = scenario.doc.credentials[index];
      if (set && !doc?.jwt) add(['credentials', 'expiring'], `"${b.expiring}" has no jwt: nothing expires`);
      const lifetimeMs = parseDuration(b.expiresIn ?? doc?.jwt?.expiresIn ?? '5m');
      if (lifetimeMs <= 0 || lifetimeMs > MAX_LIFETIME_MS)
        add(
          ['credentials', b.expiresIn ? 'expiresIn' : 'expiring'],
          `a token living ${Math.round(lifetimeMs / 1000)} s: give lifecycle.credentials.expiresIn above 0s and at ` +
            'most 10m (the check waits for it to expire)',
        );
      if (set && doc?.jwt) expiring = { set, index, lifetimeMs };
    }
    let revoke: CredentialsPlan<C>['revoke'];
    if (b.revoke !== undefined) {
      const set = setNamed(['credentials', 'revoke'], b.revoke, mustUpgrade);
      const doc = scenario.doc.credentials.find((c) => c.name === b.revoke);
      const subject = doc ? revocationSubject(doc) : undefined;
      if (set && subject === undefined)
        add(
          ['credentials', 'revoke'],
          `"${b.revoke}" has no X-IBM-Client-Id header, basic user or jwt.subject: nothing to revoke`,
        );
      if (set && subject !== undefined) revoke = { set, subject };
    }
    const outlives = b.outlives ?? 'finding';
    if (typeof outlives === 'object') {
      for (const name of Object.keys(outlives))
        if (!names.includes(name))
          add(['credentials', 'outlives', name], `"${name}" is not a lifecycle target (targets: ${names.join(', ')})`);
    }
    creds = {
      ...(expiring ? { expiring } : {}),
      ...(revoke ? { revoke } : {}),
      revokeAfterMs: durationOr(b.revokeAfter, 1000),
      connections: b.connections ?? 2,
      messageEveryMs: durationOr(b.messageEvery, 250),
      observeMs: durationOr(b.observe, 5000),
      outlives: (target) => (typeof outlives === 'string' ? outlives : (outlives[target] ?? 'finding')),
      tolerate: b.tolerate ?? [],
    };
  }

  let authPressure: AuthPressurePlan<C> | undefined;
  if (block.authPressure) {
    const b = block.authPressure;
    checkTargetNames(['authPressure', 'tolerate'], b.tolerate);
    const allowed = b.allowed
      ? setNamed(['authPressure', 'allowed'], b.allowed, mustUpgrade)
      : (credential ?? undefined);
    let denied: C | undefined;
    if (b.denied !== undefined) {
      denied = credentials.find((c) => c.name === b.denied);
      if (!denied) add(['authPressure', 'denied'], `no credential set is named "${b.denied}"`);
      else if (![400, 401, 403].includes(denied.expect) || denied.authState !== 'ok')
        add(['authPressure', 'denied'], `"${b.denied}" must be a set the auth service refuses (expect 400/401/403)`);
    } else denied = credentials.find((c) => (c.expect === 401 || c.expect === 403) && c.authState === 'ok');
    const spread = spreadFor(['authPressure', 'rate'], 0, workers);
    if (allowed && spread)
      authPressure = {
        ladderMs: b.ladder.map(parseDuration),
        stepMs: durationOr(b.step, 2000),
        rate: b.rate ?? 20,
        allowed,
        ...(denied ? { denied } : {}),
        spread,
        tolerate: b.tolerate ?? [],
      };
  }

  if (problems.list.length > before || !credential) return undefined;
  return {
    targets: lifecycleTargets,
    credential,
    ...(idle ? { idle } : {}),
    ...(reload ? { reload } : {}),
    ...(restart ? { restart } : {}),
    ...(creds ? { credentials: creds } : {}),
    ...(authPressure ? { authPressure } : {}),
    authHooks: block.authHooks ?? {},
    ...(authStatsUrl ? { authStatsUrl } : {}),
    onSaturation: block.saturation ?? 'fail',
  };
}

/** The bundled gateway fixture a target URL names (`${fixture:gateway.nginx}`, or `${fixture:gateway}`: the first). */
export function fixtureGatewayOf(url: string, started: readonly string[]): FixtureGateway | undefined {
  const ref = fixtureRefs(url)[0];
  if (ref === undefined || ref.endsWith('.baseline') || ref.endsWith('.h2')) return undefined;
  const name = ref === 'gateway' ? started[0] : /^gateway\.([a-z]+)$/.exec(ref)?.[1];
  return (FIXTURE_GATEWAYS as readonly string[]).includes(name ?? '') ? (name as FixtureGateway) : undefined;
}

/**
 * What the auth service revokes for a set: its client id, basic user name or JWT subject (API
 * Connect and the bundled auth service revoke by these). A credential value: never printed.
 */
export function revocationSubject(doc: CredentialDoc): string | undefined {
  const header = Object.entries(doc.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-ibm-client-id');
  return header?.[1] ?? doc.basic?.username ?? doc.jwt?.subject;
}
