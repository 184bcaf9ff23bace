import { and, eq, sql } from 'drizzle-orm';
import { communicationPreferences } from '../schema/index.js';
import type { Executor } from './messages.js';

export type ConsentRow = typeof communicationPreferences.$inferSelect;
export type ConsentSource = 'inbound_sms' | 'api' | 'twilio_21610' | 'ghl_dnd';
export type ConsentChange = { tenantId: string; phone: string; optOut: boolean; keyword: string | null; source: ConsentSource };

export async function findConsent(db: Executor, tenantId: string, phone: string): Promise<ConsentRow | undefined> {
  const [row] = await db
    .select()
    .from(communicationPreferences)
    .where(and(eq(communicationPreferences.tenantId, tenantId), eq(communicationPreferences.phone, phone)));
  return row;
}

/** Records an opt-out or opt-in. The row is updated in place, never deleted. */
export async function recordConsent(db: Executor, change: ConsentChange): Promise<ConsentRow> {
  const values = { smsOptOut: change.optOut, keyword: change.keyword, source: change.source, changedAt: new Date() };
  const [row] = await db
    .insert(communicationPreferences)
    .values({ tenantId: change.tenantId, phone: change.phone, ...values })
    .onConflictDoUpdate({ target: [communicationPreferences.tenantId, communicationPreferences.phone], set: values })
    .returning();
  return row!;
}

/**
 * Serialises consent changes against sends to one number, inside a transaction.
 * A send holds the shared lock from its consent check until Twilio has answered;
 * an opt-out takes the exclusive lock, so once its transaction commits no send
 * that saw the old consent can still be on its way to Twilio.
 */
export async function lockConsent(db: Executor, tenantId: string, phone: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const key = `${tenantId}:${phone}`;
  if (mode === 'shared') await db.execute(sql`select pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`);
  else await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}
