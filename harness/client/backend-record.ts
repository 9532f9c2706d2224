/** One data message the echo backend received, by its digest (the payload itself is never kept). */
export interface BackendMessage {
  opcode: 'text' | 'binary';
  bytes: number;
  sha256: string;
}

/** One connection as the echo backend recorded it, with what happened in its session so far. */
export interface BackendEntry {
  seq: number;
  time: string;
  path: string;
  headers: Record<string, string | string[]>;
  remoteAddress?: string;
  /** The session facts (fixtures/record.ts); absent from backends older than them. */
  attempt?: string;
  offeredProtocols?: string[];
  /** The subprotocol the backend chose, '' for none. */
  protocol?: string;
  offeredExtensions?: string;
  /** The extensions it agreed to, '' for none. */
  extensions?: string;
  messages?: number;
  messageBytes?: number;
  /** The first 50 data messages. */
  firstMessages?: BackendMessage[];
  pings?: number;
  pongs?: number;
  /** The client's close frame as the backend got it (1005: none in it). */
  closeReceived?: { code: number; reason: string };
  closeSent?: { code: number; reason: string };
  ended?: 'client-close' | 'backend-close' | 'reset' | 'killed';
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

  /** The entries of one attempt (its `X-Wsgate-Attempt`), with their session facts as they are now. */
  async byAttempt(attempt: string): Promise<BackendEntry[]> {
    return (await this.read(undefined, attempt)).connections;
  }

  private async read(since: number | undefined, attempt?: string): Promise<RecordPage> {
    const u = new URL(this.url);
    if (attempt !== undefined) u.searchParams.set('attempt', attempt);
    else u.searchParams.set('since', String(since));
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
