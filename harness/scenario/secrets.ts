/** Shown in place of a secret in every output. */
export const MASK = '«secret»';

/** Shorter values are not masked by substring (they would blot out ordinary text); they are refused as secrets. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Every secret value of a run: credential values, `${env:}` / `${file:}` values, minted tokens and
 * their encoded forms. Every output sink passes its text through `mask` before writing.
 */
export class Secrets {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Register a secret and the forms it travels in (base64 for basic auth, URL encoding for queries). */
  add(value: string): void {
    const forms = [
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
    ];
    for (const v of forms) {
      if (v.length >= MIN_SECRET_LENGTH && !this.values.has(v)) {
        this.values.add(v);
        this.pattern = undefined;
      }
    }
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  get size(): number {
    return this.values.size;
  }

  /** Every registered form, for tests that scan outputs. */
  all(): string[] {
    return [...this.values];
  }

  /** `text` with every secret replaced by MASK. */
  mask(text: string): string {
    if (this.values.size === 0) return text;
    if (!this.pattern) {
      // Longest first, so a secret that contains another is masked whole.
      const sorted = [...this.values].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
    }
    return text.replace(this.pattern, MASK);
  }

  /**
   * `text` masked, for text that was cut short at its end (a frame preview ending in `…`): a secret
   * cut there is masked too, from the first characters that match its start (MIN_SECRET_LENGTH).
   */
  maskCut(text: string): string {
    const ellipsis = text.endsWith('…') ? '…' : '';
    let body = this.mask(ellipsis ? text.slice(0, -1) : text);
    for (const v of this.values) {
      for (let k = Math.min(v.length - 1, body.length); k >= MIN_SECRET_LENGTH; k--) {
        if (body.endsWith(v.slice(0, k))) {
          body = body.slice(0, -k) + MASK;
          break;
        }
      }
    }
    return body + ellipsis;
  }

  /** A deep copy of `value` with every string masked (keys too). */
  maskDeep<T>(value: T): T {
    return JSON.parse(this.mask(JSON.stringify(value))) as T;
  }

  /** Whether `text` holds any secret. */
  leaksInto(text: string): string | undefined {
    for (const v of this.values) if (text.includes(v)) return v;
    return undefined;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
