import { CliError, EXIT_INVALID } from '../cli/exit-codes.ts';
import type { Plan, PlannedCredential, PlannedTarget } from './plan.ts';
import { resolveFixtureRefs } from '../scenario/interpolate.ts';
import { OVERHEAD_DEFAULTS } from '../scenario/blocks/overhead.ts';

/** The `overhead:` block resolved against the plan: targets and credential found, every default fixed. */
export interface OverheadSetup {
  baseline: PlannedTarget;
  auth: PlannedTarget;
  credential: PlannedCredential;
  load: { model: 'concurrency'; concurrency: number } | { model: 'rate'; ratePerSec: number };
  rounds: number;
  attemptsPerRound: number;
  warmup: number;
  resamples: number;
  seed: number;
  /** Authorization URL to benchmark with autocannon; undefined when decomposition is off. */
  authorizationUrl?: string;
}

/**
 * Every baseline/auth pair of `plan.scenario.doc.overhead` (its `pairs`, or its one `baseline` and
 * `auth`), resolved. A name that is not a target or credential set, a credential that would not
 * upgrade, or a decomposition without an authorization URL is invalid input (exit 2, file:line:col).
 */
export function overheadSetups(plan: Plan): OverheadSetup[] {
  const block = plan.scenario.doc.overhead;
  if (!block) throw new Error('overheadSetups needs a scenario with an overhead: block');
  const invalid = (path: Array<string | number>, message: string) => new CliError(`${plan.scenario.where(['overhead', ...path])}: ${message}`, EXIT_INVALID);
  if (block.pairs && (block.baseline !== undefined || block.auth !== undefined)) throw invalid(['pairs'], 'give either pairs or baseline and auth, not both');
  if (block.pairs) return block.pairs.map((p, i) => overheadSetup(plan, p, ['pairs', i]));
  if (block.baseline === undefined || block.auth === undefined) throw invalid([], 'name the baseline and auth targets (or a list of pairs)');
  return [overheadSetup(plan, { baseline: block.baseline, auth: block.auth }, [])];
}

/** One baseline/auth pair of the `overhead:` block resolved against the plan; `at` is the pair's path in the block. */
export function overheadSetup(plan: Plan, pair: { baseline: string; auth: string }, at: Array<string | number> = []): OverheadSetup {
  const scenario = plan.scenario;
  const block = scenario.doc.overhead;
  if (!block) throw new Error('overheadSetup needs a scenario with an overhead: block');
  const invalid = (field: string, message: string) => {
    const path = field === 'baseline' || field === 'auth' ? [...at, field] : [field];
    return new CliError(`${scenario.where(['overhead', ...path])}: ${message}`, EXIT_INVALID);
  };

  const target = (field: 'baseline' | 'auth') => {
    const found = plan.targets.find((t) => t.name === pair[field]);
    if (!found) throw invalid(field, `no target is named "${pair[field]}" (known: ${plan.targets.map((t) => t.name).join(', ')})`);
    return found;
  };
  const baseline = target('baseline');
  const auth = target('auth');
  if (baseline === auth) throw invalid('auth', `"${pair.auth}" is also the baseline; the baseline must reach the same backend without auth (e.g. \${fixture:gateway.baseline})`);

  const credential = plan.credentials.find((c) => c.name === block.credential);
  if (!credential) throw invalid('credential', `no credential set is named "${block.credential}" (known: ${plan.credentials.map((c) => c.name).join(', ')})`);
  if (credential.expect !== 200 || credential.authState !== 'ok') {
    throw invalid('credential', `"${credential.name}" expects ${credential.expect}${credential.authState !== 'ok' ? ` with the auth service ${credential.authState}` : ''}; overhead needs a set that upgrades (expect: 200, auth service ok), since only upgrades have a handshake latency`);
  }
  if (block.concurrency !== undefined && block.rate !== undefined) throw invalid('rate', 'give either concurrency (closed model) or rate (open model), not both');

  const decompose = block.decompose ?? OVERHEAD_DEFAULTS.decompose;
  let authorizationUrl: string | undefined;
  if (decompose) {
    const fixturesRun = Boolean(scenario.doc.fixtures) || plan.fixtureUrls.auth !== undefined;
    const text = block.authorizationUrl ?? (fixturesRun ? OVERHEAD_DEFAULTS.authorizationUrl : undefined);
    if (text === undefined) throw invalid('decompose', 'the decomposition benchmarks the authorization URL: give authorizationUrl (or decompose: false); it defaults to ${fixture:auth} only when fixtures run');
    const field = block.authorizationUrl === undefined ? 'decompose' : 'authorizationUrl';
    try {
      authorizationUrl = resolveFixtureRefs(text, plan.fixtureUrls);
    } catch (err) {
      throw invalid(field, (err as Error).message);
    }
    if (!/^https?:\/\/[^/]/.test(authorizationUrl)) throw invalid(field, `"${authorizationUrl}" is not an http:// or https:// URL`);
  }

  return {
    baseline,
    auth,
    credential,
    load: block.rate !== undefined ? { model: 'rate', ratePerSec: block.rate } : { model: 'concurrency', concurrency: block.concurrency ?? OVERHEAD_DEFAULTS.concurrency },
    rounds: block.rounds ?? OVERHEAD_DEFAULTS.rounds,
    attemptsPerRound: block.attemptsPerRound ?? OVERHEAD_DEFAULTS.attemptsPerRound,
    warmup: block.warmup ?? OVERHEAD_DEFAULTS.warmup,
    resamples: block.bootstrap ?? OVERHEAD_DEFAULTS.bootstrap,
    seed: block.seed ?? OVERHEAD_DEFAULTS.seed,
    authorizationUrl,
  };
}
