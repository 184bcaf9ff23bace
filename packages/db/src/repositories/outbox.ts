import { asc, inArray, lt } from 'drizzle-orm';
import type { Database } from '../client.js';
import { outbox } from '../schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;
type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type Executor = Database | Tx;

/** Records jobs to enqueue once the caller's transaction commits. */
export async function insertOutbox(tx: Executor, rows: NewOutboxRow[]): Promise<OutboxRow[]> {
  if (rows.length === 0) return [];
  return tx.insert(outbox).values(rows).returning();
}

export async function deleteOutbox(db: Database, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.delete(outbox).where(inArray(outbox.id, ids));
}

/** Rows older than `createdBefore`: their writer committed but did not enqueue (it crashed). */
export async function findStaleOutbox(db: Database, createdBefore: Date, limit: number): Promise<OutboxRow[]> {
  return db.select().from(outbox).where(lt(outbox.createdAt, createdBefore)).orderBy(asc(outbox.createdAt)).limit(limit);
}
