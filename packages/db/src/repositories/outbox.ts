import { and, asc, eq, gt, inArray, lt, or } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { outbox } from '../schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;

/** Records jobs to enqueue once the caller's transaction commits. */
export async function insertOutbox(tx: Executor, rows: NewOutboxRow[]): Promise<OutboxRow[]> {
  if (rows.length === 0) return [];
  return tx.insert(outbox).values(rows).returning();
}

/** Rows still waiting for their job (a writer that cannot hand its rows to the flush, e.g. a webhook's, lets the job that follows it up flush them). */
export async function findOutboxByJobIds(db: Executor, jobIds: readonly string[]): Promise<OutboxRow[]> {
  if (jobIds.length === 0) return [];
  return db.select().from(outbox).where(inArray(outbox.jobId, [...jobIds]));
}

/** The consumer handled the job: its row is no longer needed. */
export async function completeOutbox(db: Executor, jobId: string): Promise<void> {
  await db.delete(outbox).where(eq(outbox.jobId, jobId));
}

/** Rows older than `createdBefore` whose consumer has not handled them (yet). */
export async function findStaleOutbox(
  db: Database,
  createdBefore: Date,
  limit: number,
  after?: Pick<OutboxRow, 'createdAt' | 'id'>,
): Promise<OutboxRow[]> {
  const next = after
    ? or(gt(outbox.createdAt, after.createdAt), and(eq(outbox.createdAt, after.createdAt), gt(outbox.id, after.id)))
    : undefined;
  return db
    .select()
    .from(outbox)
    .where(and(lt(outbox.createdAt, createdBefore), next))
    .orderBy(asc(outbox.createdAt), asc(outbox.id))
    .limit(limit);
}
