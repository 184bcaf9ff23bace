import type { SourcePage } from '@fieldhand/sync';

type Ahead = { cursor: string; startedAt: number; page: Promise<SourcePage> };

/**
 * The next page of a pass, asked of GHL while this process applies the current one: a
 * search answer takes about as long as writing its 500 contacts, so overlapping the two
 * keeps a pass near the location's request ceiling instead of half of it. Kept per
 * (tenant, module) in this process only, for the cursor it was read from and for a short
 * while: a page job that lands on another process, or later, reads its page itself (one
 * request spent twice). A page read for a cursor stays a correct answer for that cursor;
 * what changed since is read by the next pass, as with any page.
 */
export class ReadAhead {
  private readonly pending = new Map<string, Ahead>();

  constructor(private readonly maxAgeMs: number) {}

  /** The page read ahead for exactly this cursor, if still fresh; taken once. */
  take(key: string, cursor: string | null): Promise<SourcePage> | undefined {
    const ahead = this.pending.get(key);
    if (!ahead) return undefined;
    this.pending.delete(key);
    return ahead.cursor === cursor && Date.now() - ahead.startedAt <= this.maxAgeMs ? ahead.page : undefined;
  }

  start(key: string, cursor: string, read: (signal: AbortSignal) => Promise<SourcePage>): void {
    const page = read(AbortSignal.timeout(this.maxAgeMs));
    // A failed read-ahead costs nothing: the page job reads the page itself.
    page.catch(() => undefined);
    this.pending.set(key, { cursor, startedAt: Date.now(), page });
  }
}
