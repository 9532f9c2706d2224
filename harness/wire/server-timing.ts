/**
 * The `dur` of the `auth` metric in a Server-Timing header (`auth;dur=1.234, db;dur=3`), in ms:
 * the gateway's own measure of its call to the authorization URL. Undefined when absent or malformed.
 */
export function serverTimingAuthMs(header: string | undefined, metric = 'auth'): number | undefined {
  if (!header) return undefined;
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.split(';').map((s) => s.trim());
    if (name?.toLowerCase() !== metric) continue;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'dur') continue;
      const value = Number(
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ''),
      );
      return Number.isFinite(value) && value >= 0 ? value : undefined;
    }
  }
  return undefined;
}
