import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SourcePage, SourceRecord, SyncModule } from '@fieldhand/sync';

type SyncedRow = ReturnType<SyncModule['toRow']>;

type Ahead = { cursor: string; startedAt: number; page: Promise<SourcePage> };

// Records turned into rows per turn of the event loop while a page waits for its job.
const PREPARE_CHUNK = 50;

/**
 * The next page of a pass, asked of GHL while this process applies the current one, and
 * its rows computed while the current page's statement runs in PostgreSQL: a search
 * answer takes about as long as writing its 500 contacts, and turning 500 contacts into
 * rows (phones through libphonenumber) about half that again, so overlapping them keeps
 * a pass near the location's request ceiling instead of half of it.
 *
 * Kept per (tenant, module) in this process only, for the cursor it was read from and
 * for a short while: a page job that lands on another process, or later, reads its page
 * itself (one request spent twice). A page read for a cursor stays a correct answer for
 * that cursor; what changed since is read by the next pass, as with any page.
 */
export class ReadAhead {
  private readonly pending = new Map<string, Ahead>();
  // toRow is a pure function of the record: a row computed ahead is the row.
  private readonly rows = new WeakMap<SourceRecord, SyncedRow>();

  constructor(private readonly maxAgeMs: number) {}

  /** The page read ahead for exactly this cursor, if still fresh; taken once. */
  take(key: string, cursor: string | null): Promise<SourcePage> | undefined {
    const ahead = this.pending.get(key);
    if (!ahead) return undefined;
    this.pending.delete(key);
    return ahead.cursor === cursor && Date.now() - ahead.startedAt <= this.maxAgeMs ? ahead.page : undefined;
  }

  start(key: string, cursor: string, read: (signal: AbortSignal) => Promise<SourcePage>, toRow: (record: SourceRecord) => SyncedRow): void {
    const page = read(AbortSignal.timeout(this.maxAgeMs)).then(async (answer) => {
      for (let i = 0; i < answer.records.length; i += PREPARE_CHUNK) {
        for (const record of answer.records.slice(i, i + PREPARE_CHUNK)) this.rows.set(record, toRow(record));
        await yieldToLoop();
      }
      return answer;
    });
    // A failed read-ahead costs nothing: the page job reads the page itself.
    page.catch(() => undefined);
    this.pending.set(key, { cursor, startedAt: Date.now(), page });
  }

  /** The row computed ahead for this record, once. */
  rowOf(record: SourceRecord): SyncedRow | undefined {
    const row = this.rows.get(record);
    if (row) this.rows.delete(record);
    return row;
  }
}
