import { isIP } from 'node:net';
import type { SegmentRef } from '../model/merge.ts';
import type { Outcome } from '../model/outcome.ts';
import { expectedOutcomes } from '../outcome/expected.ts';
import { parseDuration } from '../scenario/duration.ts';
import type { Scenario } from '../scenario/read.ts';
import { type Share, type Stage, shareOf, stagesOf } from './arrival-schedule.ts';
import type { CredentialInfo, PlannedCredential } from './credentials.ts';
import type { Problems } from './problems.ts';
import { segmentShare, WHOLE } from './segment.ts';
import { type HostLimits, planSpread, SpreadError, type SpreadPlan } from './spread.ts';
import type { PlannedTarget, TargetInfo } from './targets.ts';

/** One credential set in the mix, with what each target should answer it. */
export interface MixEntry<C extends CredentialInfo = PlannedCredential> {
  cred: C;
  weight: number;
  expected: Map<string, Outcome[]>;
}

/** The closed model: `count` held connections opened evenly over `rampUpMs`, held for `holdMs`. */
export interface HoldPlan {
  count: number;
  rampUpMs: number;
  holdMs: number;
  messageEveryMs: number;
  messageBytes: number;
  messageTimeoutMs: number;
}

/** What the load engine runs: the `load:` block resolved against the targets and credential sets. */
export interface LoadPlan<T extends TargetInfo = PlannedTarget, C extends CredentialInfo = PlannedCredential> {
  /** Open model; empty when only connections are held. */
  stages: Stage[];
  targets: T[];
  /** Credential sets with their weights (> 0). */
  mix: Array<MixEntry<C>>;
  /** Handshakes in flight at once before scheduled attempts are skipped (this process's share). */
  maxInFlight: number;
  hold?: HoldPlan;
  /** Source addresses to rotate over (none: the OS chooses). */
  sourceAddresses: string[];
  /** fail: a saturated generator makes the run invalid (exit 3); warn: it is only reported. */
  onSaturation?: 'fail' | 'warn';
  /** `--trace N`: record the wire of the first N attempts of each target x credential set. */
  trace?: number;
  /**
   * This runner's part of the schedule when the scenario is split into segments (`--segment`): its
   * worker processes share this part. Default: the whole schedule. maxInFlight is already the part's.
   */
  part?: Share;
}

const DEFAULT_MAX_IN_FLIGHT = 5000;

/**
 * The `load:` block resolved against `targets` and `credentials` (what is known before fixtures
 * run, or the planned ones), and checked against this host's limits. Each problem is added at its
 * field; the result is undefined when there was any.
 */
export function planLoad<T extends TargetInfo, C extends CredentialInfo>(
  scenario: Scenario,
  targets: readonly T[],
  credentials: readonly C[],
  problems: Problems,
  limits?: HostLimits,
  segment: SegmentRef = WHOLE,
): { load: LoadPlan<T, C>; spread: SpreadPlan } | undefined {
  const block = scenario.doc.load;
  if (!block) return undefined;
  const before = problems.list.length;
  const add = (path: Array<string | number>, message: string) => problems.add(['load', ...path], message);
  if (!block.arrivalRate && !block.connections) add([], 'give arrivalRate stages, connections to hold, or both');
  (block.arrivalRate ?? []).forEach((s, i) => {
    if ((s.rate === undefined) === (s.from === undefined || s.to === undefined))
      add(['arrivalRate', i], 'give either rate, or from and to');
  });
  const stages = stagesOf(
    (block.arrivalRate ?? []).filter((s) => s.rate !== undefined || (s.from !== undefined && s.to !== undefined)),
  );
  const gateways = targets.filter((t) => !t.baseline);
  const loadTargets: T[] = [];
  (block.targets ?? gateways.map((t) => t.name)).forEach((name, i) => {
    const t = gateways.find((x) => x.name === name);
    if (t) loadTargets.push(t);
    else add(['targets', i], `no gateway target is named "${name}" (known: ${gateways.map((x) => x.name).join(', ')})`);
  });
  for (const name of Object.keys(block.mix ?? {})) {
    if (!credentials.some((c) => c.name === name))
      add(['mix', name], `no credential set is named "${name}" (known: ${credentials.map((c) => c.name).join(', ')})`);
  }
  const mix = credentials
    .filter((c) => c.authState === 'ok')
    .map((cred) => ({
      cred,
      weight: block.mix ? (block.mix[cred.name] ?? 0) : cred.weight,
      expected: new Map(loadTargets.map((t) => [t.name, expectedOutcomes(t, cred.expect)])),
    }))
    .filter((m) => m.weight > 0);
  if (mix.length === 0)
    add(block.mix ? ['mix'] : [], 'no credential set to draw (sets needing an auth fault state are never drawn)');
  const c = block.connections;
  if (c && mix.length > 0 && !mix.some((m) => loadTargets.every((t) => m.expected.get(t.name)!.includes('upgraded')))) {
    add(
      ['connections'],
      'no credential set in the mix is expected to upgrade on every load target, so there is nothing to hold',
    );
  }
  (block.sourceAddresses ?? []).forEach((a, i) => {
    if (isIP(a) === 0) add(['sourceAddresses', i], `"${a}" is not an IP address`);
  });
  const hold = c && {
    count: c.count,
    rampUpMs: parseDuration(c.rampUp ?? '10s'),
    holdMs: parseDuration(c.hold),
    messageEveryMs: parseDuration(c.messageEvery ?? '5s'),
    messageBytes: c.messageBytes ?? 32,
    messageTimeoutMs: parseDuration(c.messageTimeout ?? '5s'),
  };
  // A segment's host carries its share only: its held connections and its share of maxInFlight.
  const part = segment.of > 1 ? segmentShare(segment) : undefined;
  const wholeMaxInFlight = block.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const maxInFlight = part ? Math.max(1, shareOf(wholeMaxInFlight, part)) : wholeMaxInFlight;
  let spread: SpreadPlan | undefined;
  try {
    spread = planSpread(
      {
        held: part ? shareOf(hold?.count ?? 0, part) : (hold?.count ?? 0),
        maxInFlight,
        workers: block.workers,
        sourceAddresses: block.sourceAddresses,
        destinations: loadTargets.map((t) => t.destination),
      },
      limits,
    );
  } catch (err) {
    if (!(err instanceof SpreadError)) throw err;
    add(err.field === 'connections' ? (hold ? ['connections', 'count'] : ['maxInFlight']) : [err.field], err.message);
  }
  if (problems.list.length > before || !spread) return undefined;
  return {
    load: {
      stages,
      targets: loadTargets,
      mix,
      maxInFlight,
      ...(hold ? { hold } : {}),
      sourceAddresses: [],
      onSaturation: block.saturation ?? 'fail',
      ...(part ? { part } : {}),
    },
    spread,
  };
}
