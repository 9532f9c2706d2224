import type { LatencySummary } from './histogram.ts';
import type { Saturation } from './load.ts';

/** `summary.capacity`: `wsgate capacity` stepping the arrival rate up until a bound breaks. Durations in ms. */
export interface CapacityResult {
  /** The gateway targets the steps loaded (in turn, as `load:` does). */
  targets: string[];
  /** What a step must keep to count as sustained: time to 101 p95, share of attempts not answered as expected. */
  bounds: { p95Ms: number; errorShare: number };
  plan: { fromRate: number; factor: number; maxRate: number; stepMs: number; refine: number };
  steps: CapacityStep[];
  /** The highest offered rate (attempts/s) that kept every bound with a healthy generator; absent when none did. */
  sustainable?: number;
  /** The lowest rate that broke a bound on the target's side, when one did. */
  brokenAt?: number;
  /**
   * Why the stepping stopped: latency or errors broke a bound (the target's limit, closed in on
   * between `sustainable` and `brokenAt`), the generator ran out first (the target's limit is
   * above what this machine offered), the highest rate was reached, or the run was interrupted.
   */
  stoppedBy: 'latency' | 'errors' | 'generator' | 'max_rate' | 'interrupted';
  /** One sentence a person reads first. */
  verdict: string;
}

export interface CapacityStep {
  /** Offered arrival rate, attempts per second. */
  rate: number;
  /** A step between a rate that held and one that broke, closing in on the limit. */
  refining: boolean;
  durationMs: number;
  scheduled: number;
  attempts: number;
  upgrades: number;
  /** Upgrades per second achieved over the step. */
  upgradesPerSecond: number;
  /** Time to 101 from the scheduled start. */
  handshake?: LatencySummary;
  /** Scheduled attempts not answered as expected (wrong outcome, no answer, skipped at maxInFlight), as a share. */
  errorShare: number;
  saturation: Saturation;
  /** The generator in this step: p99 start lateness, p99 loop delay (ms), busiest load process's share of a core. */
  generator?: { lateP99: number; loopP99: number; cpu: number };
  /** Kept every bound with a healthy generator. */
  passed: boolean;
  /** Which bound broke: the target's latency or errors, or the generator's health (telling nothing of the target). */
  broke?: 'latency' | 'errors' | 'generator';
  /** Why it did not pass, in one sentence with the numbers. */
  why?: string;
}
