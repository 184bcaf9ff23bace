import type { SourcePage, SyncModule } from '@fieldhand/sync';
import type { GhlClient } from '../client/ghl-client.js';

/** How the GHL modules read; the defaults suit production. */
export type GhlSyncOptions = {
  /** Contacts per search page (GHL allows up to 500). */
  contactsPageLimit: number;
  /** Opportunities per search page (GHL allows up to 100). */
  opportunitiesLimit: number;
  /**
   * GHL's search index may lag writes by a few seconds: an incremental pass ends its
   * contacts cursor no later than this long before it read, so a late-indexed change
   * is read by the next pass (re-reading a few unchanged contacts costs nothing).
   */
  searchLagMs: number;
  /** How long a page read ahead (while the one before it is applied) may wait for its job; 0: no read-ahead. */
  readAheadMs: number;
};

export const GHL_SYNC_DEFAULTS: GhlSyncOptions = { contactsPageLimit: 500, opportunitiesLimit: 100, searchLagMs: 5 * 60_000, readAheadMs: 30_000 };

/** One GHL feed and the table it fills. */
export type GhlModule = SyncModule & {
  fetch(client: GhlClient, cursor: string | null, options: GhlSyncOptions, signal: AbortSignal): Promise<SourcePage>;
};
