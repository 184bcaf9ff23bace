import { and, count, eq, gte, isNotNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../executor.js';
import { communicationPreferences, messages, syncState, tenants } from '../schema/index.js';

// A source counts for a tenant only while the tenant has its credentials (a disconnected one never syncs again).
const SOURCE_CREDENTIALS = { servicetitan: tenants.servicetitan, ghl: tenants.ghl } as const;

export type ModuleLag = { source: string; module: string; seconds: number };

/**
 * Per source and module, the longest any tenant connected to that source has gone
 * without a successful pass: seconds since its last success (since the row was written,
 * for a module never synced). One sync_state row per tenant, source and module: small.
 */
export async function syncLagByModule(db: Executor): Promise<ModuleLag[]> {
  const rows = await db
    .select({
      source: syncState.source,
      module: syncState.module,
      seconds: sql<string>`max(extract(epoch from now() - coalesce(${syncState.lastSuccessAt}, ${syncState.updatedAt})))`,
    })
    .from(syncState)
    .innerJoin(tenants, eq(tenants.id, syncState.tenantId))
    .where(or(...Object.entries(SOURCE_CREDENTIALS).map(([source, credentials]) => and(eq(syncState.source, source), isNotNull(credentials)))))
    .groupBy(syncState.source, syncState.module);
  return rows.map((r) => ({ source: r.source, module: r.module, seconds: Math.max(0, Math.round(Number(r.seconds))) }));
}

/** Texts in one status across every tenant (`unknown`: Twilio may or may not have it; an operator looks). */
export async function countMessagesInStatus(db: Executor, status: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(messages).where(eq(messages.status, status));
  return row?.n ?? 0;
}

/** Numbers currently opted out whose opt-out began today (since 00:00 UTC), across every tenant. */
export async function countOptOutsToday(db: Executor): Promise<number> {
  const midnightUtc = sql`(date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')`;
  const [row] = await db
    .select({ n: count() })
    .from(communicationPreferences)
    .where(and(eq(communicationPreferences.smsOptOut, true), gte(communicationPreferences.changedAt, midnightUtc)));
  return row?.n ?? 0;
}
