/** One connection as the echo backend recorded it. */
export interface BackendEntry {
  seq: number;
  time: string;
  path: string;
  headers: Record<string, string | string[]>;
  remoteAddress?: string;
}

interface RecordPage {
  next: number;
  total: number;
  connections: BackendEntry[];
}

/**
 * Reads the echo backend's connection record, so a check can prove what reached the backend.
 * `mark()` remembers where the record stood; `since()` returns what arrived after that.
 */
export class BackendRecord {
  constructor(private readonly url: string) {}

  async mark(): Promise<number> {
    return (await this.read(Number.MAX_SAFE_INTEGER)).next;
  }

  async since(mark: number): Promise<BackendEntry[]> {
    return (await this.read(mark)).connections;
  }

  private async read(since: number): Promise<RecordPage> {
    const u = new URL(this.url);
    u.searchParams.set('since', String(since));
    const res = await fetch(u, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`backend record ${this.url} answered ${res.status}`);
    return (await res.json()) as RecordPage;
  }
}

/** A header's values as one string, whatever shape the record holds. */
export function headerText(entry: BackendEntry, name: string): string | undefined {
  const v = entry.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
