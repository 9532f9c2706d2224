import type { AttemptLoad } from '../model/measured.ts';
import { OVERHEAD_DEFAULTS } from '../scenario/blocks/overhead.ts';
import type { Scenario } from '../scenario/read.ts';
import type { CredentialInfo, PlannedCredential } from './credentials.ts';
import type { Problems } from './problems.ts';
import { checkFixtureRefs, type PlannedTarget, resolveOrReport, type TargetInfo } from './targets.ts';

/** One baseline/auth pair of the `overhead:` block resolved: targets and credential found, every default fixed. */
export interface OverheadSetup<T extends TargetInfo = PlannedTarget, C extends CredentialInfo = PlannedCredential> {
  baseline: T;
  auth: T;
  credential: C;
  load: AttemptLoad;
  rounds: number;
  attemptsPerRound: number;
  warmup: number;
  resamples: number;
  seed: number;
  /** Authorization URL to benchmark with autocannon; undefined when decomposition is off (or not yet resolved). */
  authorizationUrl?: string;
}

/**
 * Every baseline/auth pair of the `overhead:` block (its `pairs`, or its one `baseline` and `auth`)
 * resolved against `targets` and `credentials`. A name that is not a target or credential set, a
 * credential that would not upgrade, or a decomposition without an authorization URL is a problem
 * at its field. `fixtureUrls` resolves the authorization URL once fixtures run; without it the URL
 * is only checked. Undefined when the block is absent or had a problem.
 */
export function planOverhead<T extends TargetInfo, C extends CredentialInfo>(
  scenario: Scenario,
  targets: readonly T[],
  credentials: readonly C[],
  problems: Problems,
  fixtureUrls?: Record<string, string>,
): Array<OverheadSetup<T, C>> | undefined {
  const block = scenario.doc.overhead;
  if (!block) return undefined;
  const before = problems.list.length;
  const add = (path: Array<string | number>, message: string) => problems.add(['overhead', ...path], message);
  let pairs: Array<{ baseline: string; auth: string; at: Array<string | number> }> = [];
  if (block.pairs && (block.baseline !== undefined || block.auth !== undefined))
    add(['pairs'], 'give either pairs or baseline and auth, not both');
  else if (block.pairs) pairs = block.pairs.map((p, i) => ({ ...p, at: ['pairs', i] }));
  else if (block.baseline === undefined || block.auth === undefined)
    add([], 'name the baseline and auth targets (or a list of pairs)');
  else pairs = [{ baseline: block.baseline, auth: block.auth, at: [] }];

  const credential = credentials.find((c) => c.name === block.credential);
  if (!credential)
    add(
      ['credential'],
      `no credential set is named "${block.credential}" (known: ${credentials.map((c) => c.name).join(', ')})`,
    );
  else if (credential.expect !== 200 || credential.authState !== 'ok') {
    const state = credential.authState !== 'ok' ? ` with the auth service ${credential.authState}` : '';
    add(
      ['credential'],
      `"${credential.name}" expects ${credential.expect}${state}; overhead needs a set that upgrades (expect: 200, ` +
        `auth service ok), since only upgrades have a handshake latency`,
    );
  }
  if (block.concurrency !== undefined && block.rate !== undefined)
    add(['rate'], 'give either concurrency (closed model) or rate (open model), not both');

  let authorizationUrl: string | undefined;
  if (block.decompose ?? OVERHEAD_DEFAULTS.decompose) {
    const fixturesRun = Boolean(scenario.doc.fixtures);
    const text = block.authorizationUrl ?? (fixturesRun ? OVERHEAD_DEFAULTS.authorizationUrl : undefined);
    const field = block.authorizationUrl === undefined ? 'decompose' : 'authorizationUrl';
    if (text === undefined) {
      add(
        ['decompose'],
        'the decomposition benchmarks the authorization URL: give authorizationUrl (or decompose: false); it ' +
          'defaults to ${fixture:auth} only when fixtures run',
      );
    } else {
      checkFixtureRefs(scenario, text, ['overhead', field], problems);
      if (fixtureUrls) {
        authorizationUrl = resolveOrReport(text, fixtureUrls, ['overhead', field], problems);
        if (authorizationUrl !== undefined && !/^https?:\/\/[^/]/.test(authorizationUrl))
          add([field], `"${authorizationUrl}" is not an http:// or https:// URL`);
      }
    }
  }

  const setups: Array<OverheadSetup<T, C>> = [];
  for (const pair of pairs) {
    const find = (field: 'baseline' | 'auth') => {
      const found = targets.find((t) => t.name === pair[field]);
      if (!found)
        add(
          [...pair.at, field],
          `no target is named "${pair[field]}" (known: ${targets.map((t) => t.name).join(', ')})`,
        );
      return found;
    };
    const baseline = find('baseline');
    const auth = find('auth');
    if (baseline && baseline === auth) {
      add(
        [...pair.at, 'auth'],
        `"${pair.auth}" is also the baseline; the baseline must reach the same backend without auth (e.g. ` +
          `\${fixture:gateway.baseline})`,
      );
    }
    if (!baseline || !auth || !credential) continue;
    setups.push({
      baseline,
      auth,
      credential,
      load:
        block.rate !== undefined
          ? { model: 'rate', ratePerSec: block.rate }
          : { model: 'concurrency', concurrency: block.concurrency ?? OVERHEAD_DEFAULTS.concurrency },
      rounds: block.rounds ?? OVERHEAD_DEFAULTS.rounds,
      attemptsPerRound: block.attemptsPerRound ?? OVERHEAD_DEFAULTS.attemptsPerRound,
      warmup: block.warmup ?? OVERHEAD_DEFAULTS.warmup,
      resamples: block.bootstrap ?? OVERHEAD_DEFAULTS.bootstrap,
      seed: block.seed ?? OVERHEAD_DEFAULTS.seed,
      authorizationUrl,
    });
  }
  return problems.list.length > before ? undefined : setups;
}
