import type { LoadResult } from '../../model/load.ts';

/** The saturation verdict in words: who ran out during the load. */
export function saturationWords(l: LoadResult): string | undefined {
  const s = l.saturation;
  if (!s) return undefined;
  const words: Record<typeof s.side, string> = {
    none: 'the generator and the target both kept up',
    generator: 'the load generator was saturated: the run is invalid',
    target: 'the target was saturated (the generator kept up)',
    both: 'the load generator and the target were both saturated: the run is invalid',
  };
  return s.reasons.length ? `${words[s.side]} (${s.reasons.join('; ')})` : words[s.side];
}
