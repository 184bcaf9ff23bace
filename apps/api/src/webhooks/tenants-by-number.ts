import { LRUCache } from 'lru-cache';
import { findTenantBySmsNumber, type Database, type TenantRow } from '@fieldhand/db';

const MAX_NUMBERS = 10_000;

/**
 * The tenant owning a Twilio number (or Messaging Service), reused for a short
 * while: every inbound text needs it, and it changes rarely. Concurrent misses for
 * one number share a single query. An unknown number is never cached, so a tenant
 * set up a moment ago is found on its first text.
 */
export class TenantsByNumber {
  private readonly cache: LRUCache<string, TenantRow, { to: string; messagingServiceSid: string | undefined }> | undefined;

  constructor(
    private readonly db: Database,
    ttlSeconds: number,
  ) {
    if (ttlSeconds > 0) {
      this.cache = new LRUCache({
        max: MAX_NUMBERS,
        ttl: ttlSeconds * 1000,
        fetchMethod: (_key, _stale, { context }) => findTenantBySmsNumber(db, context.to, context.messagingServiceSid),
      });
    }
  }

  /** `fresh` skips the cache (and refreshes it): a cached row may hold a rotated-away auth token. */
  async find(to: string, messagingServiceSid: string | undefined, fresh = false): Promise<TenantRow | undefined> {
    if (!this.cache) return findTenantBySmsNumber(this.db, to, messagingServiceSid);
    return this.cache.fetch(`${to}|${messagingServiceSid ?? ''}`, { context: { to, messagingServiceSid }, forceRefresh: fresh });
  }
}
