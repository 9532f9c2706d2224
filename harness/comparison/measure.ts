import { type AttemptSample, measuredSide, runBatch, upgradeLatencies } from '../client/batch.ts';
import { handshakeAttempt } from '../client/timed-attempt.ts';
import { enoughSamples } from '../metrics/percentile-interval.ts';
import type { ComparisonDifference, ComparisonMethod, ComparisonResult } from '../model/comparison.ts';
import type { CompareSetup } from '../plan/compare.ts';
import { requestPath } from '../plan/plan.ts';
import { bootstrapDifferences } from '../stats/bootstrap.ts';
import { normalCdf, normalQuantile, tQuantile } from '../stats/distributions.ts';

export interface CompareOptions {
  signal: AbortSignal;
  /** Called after each completed round (1-based). */
  onRound?: (round: number, of: number) => void;
}

/** Power with which `detectable` is stated: the difference found 80% of the time. */
const POWER = 0.8;
/**
 * A difference smaller than this share of the reference's percentile is never called faster or
 * slower, however narrow its interval: machine state that differs between the targets' halves of a
 * run (and not from round to round) moves percentiles by a few percent with nothing changed.
 */
export const PRACTICAL_SHARE = 0.05;

/**
 * The bootstrap confidence that gives a percentile interval as wide as `confidence` should be with
 * `rounds` resampled units (Hesterberg's expanded percentile interval): a bootstrap over few units
 * is too narrow, so its tails are read at sqrt(n/(n-1)) x t(n-1) instead of z.
 */
export function expandedConfidence(confidence: number, rounds: number): number {
  if (rounds < 2) return confidence;
  const z = Math.sqrt(rounds / (rounds - 1)) * tQuantile(1 - (1 - confidence) / 2, rounds - 1);
  return 1 - 2 * (1 - normalCdf(z));
}

/**
 * Compare gateways as a measured A/B: a warm-up per target, then `rounds` rounds in which every
 * target runs `attemptsPerRound` upgrades, in an order rotated each round (A B C, B C A, C A B) so
 * no target always goes first. Each target's percentiles are compared with the reference's by a
 * bootstrap over whole rounds (each round with both targets' halves, so drift they shared cancels),
 * at the family-wise confidence split over every comparison (Bonferroni). Interrupted, it keeps the
 * rounds it completed.
 */
export async function measureComparison(setup: CompareSetup, opts: CompareOptions): Promise<ComparisonResult> {
  const t0 = performance.now();
  const { targets, credential, signal } = { ...setup, signal: opts.signal };
  const paths = targets.map((t) => requestPath(t, credential));
  const attempt = (i: number, label: string) =>
    handshakeAttempt(targets[i]!, credential, paths[i]!, `compare-${targets[i]!.name}-${label}`);
  if (setup.warmup > 0)
    for (let i = 0; i < targets.length && !signal.aborted; i++)
      await runBatch(attempt(i, 'warmup'), setup.warmup, setup.load, signal);

  const perTarget: AttemptSample[][][] = targets.map(() => []);
  let problem: string | undefined;
  let completed = 0;
  for (let r = 0; r < setup.rounds && !signal.aborted; r++) {
    const round: AttemptSample[][] = targets.map(() => []);
    for (let k = 0; k < targets.length && !signal.aborted; k++) {
      const i = (r + k) % targets.length;
      round[i] = await runBatch(attempt(i, `r${r + 1}`), setup.attemptsPerRound, setup.load, signal);
    }
    if (signal.aborted) break;
    for (const [i, samples] of round.entries()) perTarget[i]!.push(samples);
    completed++;
    opts.onRound?.(r + 1, setup.rounds);
    const dead = targets.filter((_, i) => round[i]!.every((s) => s.latencyMs === undefined)).map((t) => t.name);
    if (dead.length > 0) {
      problem = `stopped after round ${r + 1}: no attempt to ${dead.join(', ')} upgraded in it`;
      break;
    }
  }

  const sides = targets.map((t, i) => measuredSide(t.name, t.url, paths[i]!, perTarget[i]!));
  const comparisons = (targets.length - 1) * setup.percentiles.length;
  const confidence = 1 - (1 - setup.familyConfidence) / Math.max(1, comparisons);
  const bootConfidence = expandedConfidence(confidence, completed);
  const z = normalQuantile(1 - (1 - bootConfidence) / 2);
  const zPower = normalQuantile(POWER);
  const differences: ComparisonDifference[] = [];
  for (let i = 1; i < targets.length; i++) {
    const rounds = perTarget[0]!.map((ref, r) => ({
      baseline: upgradeLatencies(ref),
      auth: upgradeLatencies(perTarget[i]![r]!),
    }));
    const boot = bootstrapDifferences(rounds, {
      percentiles: setup.percentiles,
      resamples: setup.resamples,
      confidence: bootConfidence,
      seed: setup.seed,
    });
    for (const d of boot.differences) {
      const enough = enoughSamples(sides[0]!.upgraded, d.percentile) && enoughSamples(sides[i]!.upgraded, d.percentile);
      const ciLow = round3(d.ciLow);
      const ciHigh = round3(d.ciHigh);
      const se = (d.ciHigh - d.ciLow) / (2 * z);
      const reference = (sides[0]!.percentiles as Record<string, number | undefined>)[`p${d.percentile}`];
      const practical = PRACTICAL_SHARE * (reference ?? 0);
      differences.push({
        target: targets[i]!.name,
        versus: targets[0]!.name,
        percentile: d.percentile as ComparisonDifference['percentile'],
        diff: round3(d.diff),
        ciLow,
        ciHigh,
        ciWidth: round3(ciHigh - ciLow),
        verdict: verdictOf({ enough, diff: d.diff, ciLow: d.ciLow, ciHigh: d.ciHigh }, practical),
        detectable: round3(Math.max((z + zPower) * se, practical)),
        confidence: round3(confidence * 1000) / 1000,
      });
    }
  }
  const result: ComparisonResult = {
    credential: credential.name,
    reference: targets[0]!.name,
    sides,
    differences,
    method: describeMethod(setup, confidence),
    partial: signal.aborted,
    roundsCompleted: completed,
    durationMs: Math.round(performance.now() - t0),
  };
  if (problem) result.problem = problem;
  return result;
}

/**
 * Slower or faster only when the interval excludes 0 and the difference is at least `practical`
 * (ms) that way; no verdict without enough samples or an interval.
 */
export function verdictOf(
  d: { enough: boolean; diff: number; ciLow: number; ciHigh: number },
  practical: number,
): ComparisonDifference['verdict'] {
  if (!d.enough || !Number.isFinite(d.ciLow)) return 'not_enough_data';
  if (d.ciLow > 0 && d.diff >= practical) return 'slower';
  if (d.ciHigh < 0 && d.diff <= -practical) return 'faster';
  return 'no_difference';
}

function describeMethod(setup: CompareSetup, confidence: number): ComparisonMethod {
  const load =
    setup.load.model === 'concurrency'
      ? `${setup.load.concurrency} attempt(s) in flight`
      : `${setup.load.ratePerSec} attempts/s`;
  const n = setup.targets.length;
  return {
    description:
      `${setup.rounds} rounds in which each of the ${n} targets runs ${setup.attemptsPerRound} upgrades (` +
      `${load}), in an order ` +
      `rotated every round so that machine drift hits every target alike, after ${setup.warmup} uncounted ` +
      `attempts each. ` +
      `Latency runs from each attempt's scheduled start to the complete 101. Each target is compared with ` +
      `${setup.reference.name} at p${setup.percentiles.join('/p')}: the difference of percentiles with a ` +
      `${(confidence * 100).toFixed(2)}% percentile-bootstrap interval over whole rounds, widened for ` +
      `${setup.rounds} rounds as a t interval would be (Hesterberg's expanded percentile interval; ` +
      `${setup.resamples} resamples, ` +
      `seed ${setup.seed}), so that all verdicts together hold with ${setup.familyConfidence * 100}% confidence. ` +
      `An interval that excludes 0, with a difference of at least ${PRACTICAL_SHARE * 100}% of the reference's ` +
      `value, is "faster" or "slower"; otherwise "no detectable difference", with the smallest difference the run ` +
      `could have detected 80% of the time.`,
    interleaving: 'rotated-rounds',
    rounds: setup.rounds,
    attemptsPerRound: setup.attemptsPerRound,
    warmupAttempts: setup.warmup,
    load: setup.load,
    latencyFrom: 'scheduled-start',
    latencyTo: 'upgrade-complete',
    familyConfidence: setup.familyConfidence,
    bootstrap: { resamples: setup.resamples, seed: setup.seed, unit: 'paired-rounds', interval: 'percentile' },
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
