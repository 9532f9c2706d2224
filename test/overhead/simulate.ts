import type { PairedRound } from '../../harness/stats/bootstrap.ts';
import { seededRandom } from '../../harness/stats/random.ts';

/** Rounds whose values share a per-round drift (as on a shared machine), auth shifted by `shift` ms. */
export function simulate(seed: number, rounds: number, perRound: number, shift: number): PairedRound[] {
  const random = seededRandom(seed);
  const noise = () => -Math.log(1 - random()) * 0.3;
  return Array.from({ length: rounds }, () => {
    const drift = random() * 0.6;
    return {
      baseline: Array.from({ length: perRound }, () => 1 + drift + noise()),
      auth: Array.from({ length: perRound }, () => 1 + shift + drift + noise()),
    };
  });
}
