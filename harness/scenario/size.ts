const UNIT_BYTES = { B: 1, KiB: 1024, MiB: 1024 * 1024 } as const;

/** `1024`, `"64KiB"`, `"1MiB"`: a size as a scenario writes it. */
export const SIZE_PATTERN = '^[0-9]+(B|KiB|MiB)$';

/** Bytes of a validated size (a number of bytes, or a string with B, KiB or MiB). Parsed once, at the edge. */
export function parseSize(size: number | string): number {
  if (typeof size === 'number') return size;
  const m = /^([0-9]+)(B|KiB|MiB)$/.exec(size);
  if (!m) throw new Error(`"${size}" is not a size (expected e.g. 4096, 64KiB, 1MiB)`);
  return Number(m[1]) * UNIT_BYTES[m[2] as keyof typeof UNIT_BYTES];
}

/** A size as people read it: `1 MiB`, `64 KiB`, `100 B`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
