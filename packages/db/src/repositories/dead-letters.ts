import { and, desc, eq, getTableColumns, inArray, lt, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { deadLetters } from '../schema/index.js';

export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type NewDeadLetter = typeof deadLetters.$inferInsert;

/** Records a dead letter; recording the same final attempt twice is a no-op. */
export async function recordDeadLetter(db: Executor, entry: NewDeadLetter): Promise<DeadLetterRow | undefined> {
  const [row] = await db.insert(deadLetters).values(entry).onConflictDoNothing().returning();
  return row;
}

/** Which of these (job id, attempts) of a queue already have a dead letter, as `jobId:attempts`. */
export async function recordedDeadLetters(db: Database, queue: string, jobIds: readonly string[]): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const rows = await db
    .select({ jobId: deadLetters.jobId, attempts: deadLetters.attempts })
    .from(deadLetters)
    .where(and(eq(deadLetters.queue, queue), inArray(deadLetters.jobId, [...jobIds])));
  return new Set(rows.map((r) => `${r.jobId}:${r.attempts}`));
}

export type DeadLetterFilter = { queue?: string; tenantId?: string; limit: number; cursor?: string };

export async function listDeadLetters(db: Database, filter: DeadLetterFilter): Promise<Page<DeadLetterRow>> {
  const conditions: SQL[] = [];
  if (filter.queue) conditions.push(eq(deadLetters.queue, filter.queue));
  if (filter.tenantId) conditions.push(eq(deadLetters.tenantId, filter.tenantId));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) conditions.push(afterCursor(deadLetters.failedAt, deadLetters.id, after));
  const rows = await db
    .select({ ...getTableColumns(deadLetters), cursorAt: cursorTimestamp(deadLetters.failedAt) })
    .from(deadLetters)
    .where(and(...conditions))
    .orderBy(desc(deadLetters.failedAt), desc(deadLetters.id))
    .limit(filter.limit + 1);
  return toPage<DeadLetterRow>(rows, filter.limit);
}

export async function findDeadLetter(db: Database, id: string): Promise<DeadLetterRow | undefined> {
  const [row] = await db.select().from(deadLetters).where(eq(deadLetters.id, id));
  return row;
}

export async function markDeadLetterReplayed(db: Database, id: string, replayJobId: string): Promise<void> {
  await db.update(deadLetters).set({ replayedAt: new Date(), replayJobId }).where(eq(deadLetters.id, id));
}

export async function deleteDeadLetter(db: Database, id: string): Promise<DeadLetterRow | undefined> {
  const [row] = await db.delete(deadLetters).where(eq(deadLetters.id, id)).returning();
  return row;
}

/** Housekeeping: removes dead letters older than the retention period. */
export async function purgeDeadLetters(db: Database, olderThan: Date, limit: number): Promise<string[]> {
  const rows = await db
    .delete(deadLetters)
    .where(
      inArray(
        deadLetters.id,
        db.select({ id: deadLetters.id }).from(deadLetters).where(lt(deadLetters.failedAt, olderThan)).limit(limit),
      ),
    )
    .returning({ id: deadLetters.id });
  return rows.map((r) => r.id);
}
