import { and, desc, eq, getTableColumns, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { auditLog } from '../schema/index.js';

export type AuditRow = typeof auditLog.$inferSelect;
export type AuditEntry = { tenantId: string | null; actor: string; action: string; target: Record<string, unknown>; correlationId: string | null };

/** Records one operator action; pass the transaction of the change when there is one, so both commit together. */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<AuditRow> {
  const [row] = await db.insert(auditLog).values(entry).returning();
  return row!;
}

export type AuditFilter = { tenantId?: string; limit: number; cursor?: string };

/** Newest first, with the keyset cursor of the other list endpoints. */
export async function listAudit(db: Database, filter: AuditFilter): Promise<Page<AuditRow>> {
  const conditions: SQL[] = [];
  if (filter.tenantId) conditions.push(eq(auditLog.tenantId, filter.tenantId));
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after) conditions.push(afterCursor(auditLog.createdAt, auditLog.id, after));
  const rows = await db
    .select({ ...getTableColumns(auditLog), cursorAt: cursorTimestamp(auditLog.createdAt) })
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(filter.limit + 1);
  return toPage<AuditRow>(rows, filter.limit);
}
