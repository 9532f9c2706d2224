const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds from a validated duration string (`500ms`, `2s`, `-1h`). Parsed once, at the edge. */
export function parseDuration(text: string): number {
  const m = /^(-?[0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration (expected e.g. 500ms, 2s, 1m, 1h)`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Duration field that may be absent: its milliseconds or the default. */
export function durationOr(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : parseDuration(text);
}
