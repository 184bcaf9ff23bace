import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { webhookInbox } from '../schema/index.js';

export type InboxRow = typeof webhookInbox.$inferSelect;
export type NewInboxRow = typeof webhookInbox.$inferInsert;

/** Stores a delivery; returns undefined if the vendor already delivered it. */
export async function insertInboxRow(db: Executor, row: NewInboxRow): Promise<InboxRow | undefined> {
  const [inserted] = await db.insert(webhookInbox).values(row).onConflictDoNothing().returning();
  return inserted;
}

export async function markInboxEnqueued(db: Database, id: string): Promise<void> {
  await db
    .update(webhookInbox)
    .set({ enqueuedAt: new Date(), attempts: sql`${webhookInbox.attempts} + 1` })
    .where(eq(webhookInbox.id, id));
}

export async function markInboxProcessed(db: Database, id: string): Promise<void> {
  await db.update(webhookInbox).set({ processedAt: new Date(), lastError: null }).where(eq(webhookInbox.id, id));
}

/** Rows received before `receivedBefore` that no processor has finished. */
export async function findUnprocessedInbox(db: Database, receivedBefore: Date, limit: number): Promise<InboxRow[]> {
  return db
    .select()
    .from(webhookInbox)
    .where(and(isNull(webhookInbox.processedAt), lt(webhookInbox.receivedAt, receivedBefore)))
    .orderBy(asc(webhookInbox.receivedAt))
    .limit(limit);
}
