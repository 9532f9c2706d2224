import type { AttemptLoad, MeasuredPercentile } from '../model/measured.ts';
import { COMPARE_DEFAULTS } from '../scenario/blocks/compare.ts';
import type { Scenario } from '../scenario/read.ts';
import type { CredentialInfo, PlannedCredential } from './credentials.ts';
import type { Problems } from './problems.ts';
import type { PlannedTarget, TargetInfo } from './targets.ts';

/** The `compare:` block resolved: the targets in order (the reference first), the credential, every default. */
export interface CompareSetup<T extends TargetInfo = PlannedTarget, C extends CredentialInfo = PlannedCredential> {
  targets: T[];
  reference: T;
  credential: C;
  load: AttemptLoad;
  rounds: number;
  attemptsPerRound: number;
  warmup: number;
  percentiles: MeasuredPercentile[];
  familyConfidence: number;
  resamples: number;
  seed: number;
}

/**
 * The `compare:` block resolved against `targets` and `credentials`; a name that is not a gateway
 * target or credential set, fewer than two targets, or a credential that would not upgrade is a
 * problem at its field. Undefined when the block is absent or had a problem.
 */
export function planCompare<T extends TargetInfo, C extends CredentialInfo>(
  scenario: Scenario,
  targets: readonly T[],
  credentials: readonly C[],
  problems: Problems,
): CompareSetup<T, C> | undefined {
  const block = scenario.doc.compare;
  if (!block) return undefined;
  const before = problems.list.length;
  const add = (path: Array<string | number>, message: string) => problems.add(['compare', ...path], message);
  const gateways = targets.filter((t) => !t.baseline);
  const chosen: T[] = [];
  (block.targets ?? gateways.map((t) => t.name)).forEach((name, i) => {
    const t = gateways.find((x) => x.name === name);
    if (!t)
      add(['targets', i], `no gateway target is named "${name}" (known: ${gateways.map((x) => x.name).join(', ')})`);
    else if (chosen.includes(t)) add(['targets', i], `"${name}" is listed twice`);
    else chosen.push(t);
  });
  if (!block.targets && chosen.length < 2)
    add([], `a comparison needs two gateway targets or more; the scenario has ${chosen.length}`);
  const reference = block.reference === undefined ? chosen[0] : chosen.find((t) => t.name === block.reference);
  if (block.reference !== undefined && !reference)
    add(['reference'], `"${block.reference}" is not one of the compared targets`);
  const credential = credentials.find((c) => c.name === block.credential);
  if (!credential)
    add(
      ['credential'],
      `no credential set is named "${block.credential}" (known: ${credentials.map((c) => c.name).join(', ')})`,
    );
  else if (credential.expect !== 200 || credential.authState !== 'ok') {
    add(
      ['credential'],
      `"${credential.name}" expects ${credential.expect}; a comparison times upgrades, so it needs a set that ` +
        `expects 200 with the auth service ok`,
    );
  }
  if (block.concurrency !== undefined && block.rate !== undefined)
    add(['rate'], 'give either concurrency (closed model) or rate (open model), not both');
  if (problems.list.length > before || !reference || !credential) return undefined;
  const load: AttemptLoad =
    block.rate !== undefined
      ? { model: 'rate', ratePerSec: block.rate }
      : { model: 'concurrency', concurrency: block.concurrency ?? COMPARE_DEFAULTS.concurrency };
  return {
    targets: [reference, ...chosen.filter((t) => t !== reference)],
    reference,
    credential,
    load,
    rounds: block.rounds ?? COMPARE_DEFAULTS.rounds,
    attemptsPerRound: block.attemptsPerRound ?? COMPARE_DEFAULTS.attemptsPerRound,
    warmup: block.warmup ?? COMPARE_DEFAULTS.warmup,
    percentiles: [...new Set(block.percentiles ?? COMPARE_DEFAULTS.percentiles)].sort((a, b) => a - b),
    familyConfidence: block.confidence ?? COMPARE_DEFAULTS.confidence,
    resamples: block.bootstrap ?? COMPARE_DEFAULTS.bootstrap,
    seed: block.seed ?? COMPARE_DEFAULTS.seed,
  };
}
