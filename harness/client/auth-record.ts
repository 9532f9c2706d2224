/** One request the auth service recorded: what a gateway sent it for an upgrade. Headers as sent. */
export interface AuthRequestEntry {
  seq: number;
  time: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

interface RequestPage {
  next: number;
  total: number;
  requests: AuthRequestEntry[];
}

/**
 * Reads the bundled auth service's record of the requests it got (`/__wsgate/requests`), so a check
 * can show what a gateway forwarded to the authorization URL. `mark()` remembers where the record
 * stood; `since()` returns what arrived after that.
 */
export class AuthRecord {
  constructor(readonly url: string) {}

  async mark(): Promise<number> {
    return (await this.read(Number.MAX_SAFE_INTEGER)).next;
  }

  async since(mark: number): Promise<AuthRequestEntry[]> {
    return (await this.read(mark)).requests;
  }

  private async read(since: number): Promise<RequestPage> {
    const u = new URL(this.url);
    u.searchParams.set('since', String(since));
    const res = await fetch(u, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`auth service record ${this.url} answered ${res.status}`);
    return (await res.json()) as RequestPage;
  }
}
