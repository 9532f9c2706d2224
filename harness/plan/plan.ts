import { FIXTURE_VARIANTS, type FixtureGateway } from '../model/fixtures.ts';
import type { SegmentRef } from '../model/merge.ts';
import type { MetricCondition } from '../model/metrics.ts';
import type { Threshold } from '../model/thresholds.ts';
import { durationOr, parseDuration } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import { type CapacityOverrides, type CapacityProbePlan, planCapacityProbe } from './capacity.ts';
import { type CompareSetup, planCompare } from './compare.ts';
import {
  type CredentialInfo,
  credentialInfos,
  jwtKeys,
  type PlannedCredential,
  planCredential,
} from './credentials.ts';
import { type LifecyclePlan, planLifecycle } from './lifecycle.ts';
import { type LoadPlan, planLoad } from './load.ts';
import { type OverheadSetup, planOverhead } from './overhead.ts';
import { type Command, phasesFor } from './phases.ts';
import { Problems } from './problems.ts';
import { planSecurity, type SecuritySetup } from './security.ts';
import { planSession, type SessionSetup } from './session.ts';
import type { HostLimits, SpreadPlan } from './spread.ts';
import { checkFixtureRefs, type PlannedTarget, planTarget, type TargetInfo, targetInfos } from './targets.ts';
import { parseThreshold, unwrittenBecause } from './thresholds.ts';
import { planTrend } from './trend.ts';

export type { PlannedCredential } from './credentials.ts';
export type { Command } from './phases.ts';
export type { PlannedTarget } from './targets.ts';
export { hostHeader, requestPath } from './targets.ts';

/** Everything a run needs, resolved once: targets, credential sets and every block of the scenario. */
export interface Plan {
  scenario: Scenario;
  targets: PlannedTarget[];
  credentials: PlannedCredential[];
  check: { echo: string; echoTimeoutMs: number; settleMs: number };
  thresholds: Threshold[];
  /** Named fixture URLs when the run started fixtures. */
  fixtureUrls: Record<string, string>;
  /** The `load:` block with how it spreads over workers and source addresses on this host; absent without one. */
  load?: { load: LoadPlan; spread: SpreadPlan };
  /** Every baseline/auth pair of the `overhead:` block; absent without one. */
  overhead?: OverheadSetup[];
  /** The `compare:` block: targets measured as an interleaved A/B; absent without one. */
  compare?: CompareSetup;
  /** The capacity probe, for `wsgate capacity`; absent for other commands. */
  capacity?: CapacityProbePlan;
  /** The security probes and references (defaults when the scenario has no `security:` block). */
  security: SecuritySetup;
  /** The session checks after the 101 per target (defaults without a `session:` block); none with `session: false`. */
  session?: SessionSetup;
  /** Practical tolerances for `wsgate trend`, fractions by metric or base (the `trend:` block). */
  trendTolerances: Record<string, number>;
  /** `--trace N`: attempts per target x credential set whose wire is recorded (0: none). */
  traceFirst: number;
  /** The `lifecycle:` block: idle, reload, restart, credential and auth-pressure checks; absent without one. */
  lifecycle?: LifecyclePlan;
}

/** What validation found valid: enough for `wsgate validate` to say what a run would do. */
export interface ValidScenario {
  targets: TargetInfo[];
  credentials: CredentialInfo[];
}

export interface PlanOptions {
  /** The command whose phases thresholds are checked against when they are skipped; default run. */
  command?: Command;
  /** This host's limits, for how the load block spreads (tests); default read from the host. */
  limits?: HostLimits;
  /** `wsgate capacity`'s command-line options. */
  capacity?: CapacityOverrides;
  /** `--trace N`: record the wire of the first N attempts of each target x credential set. */
  trace?: number;
  /** The segment this runner carries (`wsgate run --segment i/N`); default the whole scenario. */
  segment?: SegmentRef;
}

/**
 * Check every block of a scenario without contacting anything or starting fixtures: targets,
 * credential sets (JWT keys), load (against this host's limits), overhead, security references,
 * thresholds (against the metric registry and what `wsgate run` would measure). Throws one
 * ScenarioError listing every problem.
 */
export async function validateScenario(scenario: Scenario, opts: PlanOptions = {}): Promise<ValidScenario> {
  const problems = new Problems(scenario);
  const targets = targetInfos(scenario, problems);
  const credentials = credentialInfos(scenario);
  await jwtKeys(scenario, problems);
  checkAuthService(scenario, problems);
  checkFixtureVariants(scenario, problems);
  planLoad(scenario, targets, credentials, problems, opts.limits, opts.segment);
  planOverhead(scenario, targets, credentials, problems);
  planCompare(scenario, targets, credentials, problems);
  if (opts.command === 'capacity' || scenario.doc.capacity)
    planCapacityProbe(scenario, targets, credentials, problems, opts.capacity, opts.limits);
  planSecurity(scenario, credentials, problems);
  planSession(scenario, targets, credentials, problems);
  planLifecycle(scenario, targets, credentials, problems, opts.limits);
  thresholdsOf(scenario, targets, problems);
  planTrend(scenario, problems);
  problems.throwIfAny();
  return { targets, credentials };
}

/**
 * Turn a valid scenario into a plan once its fixtures run: resolve `${fixture:}` URLs, mint JWTs
 * (registering them as secrets), encode basic auth, resolve every block and fix every default.
 * Validates as validateScenario does first, so a plan is never built from an invalid scenario.
 */
export async function buildPlan(
  scenario: Scenario,
  fixtureUrls: Record<string, string> = {},
  opts: PlanOptions = {},
): Promise<Plan> {
  const problems = new Problems(scenario);
  const infos = targetInfos(scenario, problems);
  const keys = await jwtKeys(scenario, problems);
  checkAuthService(scenario, problems);
  checkFixtureVariants(scenario, problems);
  const thresholds = thresholdsOf(scenario, infos, problems);
  const trendTolerances = planTrend(scenario, problems);
  problems.throwIfAny();
  const targets = infos.flatMap((info, i) => planTarget(scenario, i, info, fixtureUrls, problems) ?? []);
  const credentials: PlannedCredential[] = [];
  for (const i of scenario.doc.credentials.keys()) credentials.push(await planCredential(scenario, i, keys.get(i)));
  const load = planLoad(scenario, targets, credentials, problems, opts.limits, opts.segment);
  if (load && opts.trace) load.load.trace = opts.trace;
  const overhead = planOverhead(scenario, targets, credentials, problems, fixtureUrls);
  const compare = planCompare(scenario, targets, credentials, problems);
  const capacity =
    opts.command === 'capacity'
      ? planCapacityProbe(scenario, targets, credentials, problems, opts.capacity, opts.limits)
      : undefined;
  const security = planSecurity(scenario, credentials, problems);
  const session = planSession(scenario, targets, credentials, problems, fixtureUrls);
  const lifecycle = planLifecycle(scenario, targets, credentials, problems, opts.limits, fixtureUrls);
  problems.throwIfAny();
  const doc = scenario.doc;
  return {
    scenario,
    targets,
    credentials,
    check: {
      echo: doc.check?.echo ?? 'wsgate-echo',
      echoTimeoutMs: durationOr(doc.check?.echoTimeout, 2000),
      settleMs: durationOr(doc.check?.settle, 100),
    },
    thresholds,
    fixtureUrls,
    ...(load ? { load } : {}),
    ...(overhead ? { overhead } : {}),
    ...(compare ? { compare } : {}),
    ...(capacity ? { capacity } : {}),
    security,
    ...(session ? { session } : {}),
    trendTolerances,
    traceFirst: opts.trace ?? 0,
    ...(lifecycle ? { lifecycle } : {}),
  };
}

/** The targets that authorize, i.e. every target but overhead baselines: what checks and probes judge. */
export function gatewayTargets(plan: Pick<Plan, 'targets'>): PlannedTarget[] {
  return plan.targets.filter((t) => !t.baseline);
}

/** `fixtures.variants`: each key a gateway the block starts, each value a variant that gateway knows. */
function checkFixtureVariants(scenario: Scenario, problems: Problems): void {
  const spec = scenario.doc.fixtures;
  if (typeof spec !== 'object') return;
  const started: string[] = spec.gateways ?? [spec.gateway ?? 'reference'];
  for (const [name, variant] of Object.entries(spec.variants ?? {})) {
    const known = FIXTURE_VARIANTS[name as FixtureGateway];
    if (!started.includes(name)) {
      problems.add(
        ['fixtures', 'variants', name],
        `"${name}" is not a gateway this block starts (it starts ${started.join(', ')})`,
        true,
      );
    } else if (known && !known.includes(variant)) {
      problems.add(['fixtures', 'variants', name], `${name} has no variant "${variant}" (known: ${known.join(', ')})`);
    }
  }
  for (const name of Object.keys(spec.limits ?? {})) {
    if (!started.includes(name) || name === 'reference')
      problems.add(
        ['fixtures', 'limits', name],
        `"${name}" is not a real gateway this block starts (it starts ${started.join(', ')})`,
        true,
      );
  }
}

function checkAuthService(scenario: Scenario, problems: Problems): void {
  const control = scenario.doc.authService?.control;
  if (control !== undefined) checkFixtureRefs(scenario, control, ['authService', 'control'], problems);
}

/** Parse every threshold; one on a metric no command would measure for this scenario is a problem. */
function thresholdsOf(scenario: Scenario, targets: readonly TargetInfo[], problems: Problems): Threshold[] {
  const doc = scenario.doc;
  const conditions = new Set<MetricCondition>();
  const held = doc.load?.connections;
  if (held) conditions.add('held-connections');
  if (held && parseDuration(held.messageEvery ?? '5s') > 0) conditions.add('held-messages');
  if (doc.fixtures) conditions.add('bundled-fixtures');
  const lc = doc.lifecycle;
  if (lc?.idle) conditions.add('lifecycle-idle');
  if (lc?.reload) conditions.add('lifecycle-reload');
  if (lc?.restart) conditions.add('lifecycle-restart');
  if (lc?.credentials) conditions.add('lifecycle-credentials');
  if (lc?.authPressure) conditions.add('lifecycle-auth-pressure');
  const loadTargets = doc.load?.targets ?? targets.filter((t) => !t.baseline).map((t) => t.name);
  if (targets.some((t) => t.secure && loadTargets.includes(t.name))) conditions.add('wss-load-target');
  // A threshold must be measurable by some command (`wsgate probe` runs the security probes even
  // without a security: block, `wsgate capacity` the probe without a capacity: block); one the
  // command at hand does not measure is skipped, not failed.
  const phases = [...new Set((['run', 'check', 'probe', 'capacity'] as const).flatMap((c) => phasesFor(c, doc)))];
  const writers = { phases, conditions };
  const out: Threshold[] = [];
  for (const [i, source] of (doc.thresholds ?? []).entries()) {
    const parsed = parseThreshold(source);
    if (!parsed.ok) {
      problems.add(['thresholds', i], parsed.message);
      continue;
    }
    const why = unwrittenBecause(parsed.ref, writers);
    if (why) problems.add(['thresholds', i], `nothing measures this metric: ${why}`);
    else out.push(parsed.threshold);
  }
  return out;
}
