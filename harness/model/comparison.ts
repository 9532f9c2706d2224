import type { AttemptLoad, MeasuredDifference, MeasuredSide } from './measured.ts';

/**
 * `summary.comparison`: gateways compared as a measured A/B (the `compare:` block). Every target
 * ran in the same interleaved rounds; each is compared with the reference per percentile.
 */
export interface ComparisonResult {
  credential: string;
  reference: string;
  /** One side per target, in the order of the block's targets. */
  sides: MeasuredSide[];
  differences: ComparisonDifference[];
  method: ComparisonMethod;
  /** True when the run was interrupted: the numbers cover the rounds completed. */
  partial: boolean;
  roundsCompleted: number;
  /** Why the measurement stopped early or cannot be trusted. */
  problem?: string;
  durationMs: number;
}

/**
 * faster / slower: the interval excludes 0 · no_difference: it does not · not_enough_data: too few samples for the
 * percentile.
 */
export type ComparisonVerdict = 'faster' | 'slower' | 'no_difference' | 'not_enough_data';

/** A target minus the reference at one percentile of the handshake latency. */
export interface ComparisonDifference extends MeasuredDifference {
  target: string;
  versus: string;
  verdict: ComparisonVerdict;
  /** The smallest difference this run could have told from noise, 80% of the time (ms). */
  detectable: number;
  /** The confidence of this one interval: the family-wise confidence split over every comparison. */
  confidence: number;
}

export interface ComparisonMethod {
  /** One paragraph a report can print as is. */
  description: string;
  interleaving: 'rotated-rounds';
  rounds: number;
  attemptsPerRound: number;
  warmupAttempts: number;
  load: AttemptLoad;
  latencyFrom: 'scheduled-start';
  latencyTo: 'upgrade-complete';
  /** The chance that no verdict of the whole comparison is wrong when the targets do not differ. */
  familyConfidence: number;
  bootstrap: { resamples: number; seed: number; unit: 'paired-rounds'; interval: 'percentile' };
}
