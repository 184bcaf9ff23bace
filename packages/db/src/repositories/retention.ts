import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../executor.js';
import { messages, officeAlerts, syncRuns, webhookDeliveries, webhookEvents, webhookInbox, workflowEvents, workflowInstances, workflowStepRuns } from '../schema/index.js';

/** Where a tenant's walk over its old messages has got to: (created_at, id) of the last one seen. */
export type MessageCursor = { createdAt: Date; id: string };

const START: MessageCursor = { createdAt: new Date(0), id: '00000000-0000-0000-0000-000000000000' };

/**
 * Blanks the bodies of one batch of a tenant's messages older than `before`, walking the
 * (tenant, created_at, id) index from `after`, so every batch is a short index range and
 * blanked rows are never read twice. Everything but the body (who, when, status, SID,
 * segments) stays. Returns the batch's last position, or null once the walk is done.
 */
export async function blankOldMessageBodies(db: Executor, tenantId: string, before: Date, after: MessageCursor | null, limit: number): Promise<{ blanked: number; next: MessageCursor | null }> {
  const from = after ?? START;
  const { rows } = await db.execute<{ scanned: number; blanked: number; last_at: string | null; last_id: string | null }>(sql`
    with batch as (
      select id, created_at from ${messages}
      where tenant_id = ${tenantId} and created_at < ${before.toISOString()} and (created_at, id) > (${from.createdAt.toISOString()}::timestamptz, ${from.id}::uuid)
      order by created_at, id limit ${limit}
    ), blanked as (
      update ${messages} m set body = '' from batch b where m.id = b.id and m.body <> '' returning 1
    ), last as (select id, created_at from batch order by created_at desc, id desc limit 1)
    select (select count(*)::int from batch) as scanned, (select count(*)::int from blanked) as blanked,
      (select created_at::text from last) as last_at, (select id::text from last) as last_id`);
  const row = rows[0]!;
  const next = row.scanned < limit || !row.last_at || !row.last_id ? null : { createdAt: new Date(row.last_at), id: row.last_id };
  return { blanked: row.blanked, next };
}

/** Deletes up to `limit` rows `matching` a condition, in one statement; returns how many. */
async function deleteBatch(db: Executor, table: PgTable, matching: SQL, limit: number): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`
    with gone as (delete from ${table} where id in (select id from ${table} where ${matching} limit ${limit}) returning 1)
    select count(*)::int as n from gone`);
  return rows[0]!.n;
}

/** One batch of webhook inbox rows processed before `before` (their job ran; the row only deduplicated redeliveries). */
export function deleteProcessedInboxRows(db: Executor, before: Date, limit: number): Promise<number> {
  return deleteBatch(db, webhookInbox, sql`processed_at < ${before.toISOString()}`, limit);
}

/** One batch of evaluated workflow events older than `before`. */
export function deleteOldWorkflowEvents(db: Executor, before: Date, limit: number): Promise<number> {
  return deleteBatch(db, workflowEvents, sql`evaluated_at < ${before.toISOString()}`, limit);
}

/** One batch of finished sync runs (history) older than `before`; a running one stays. */
export function deleteOldSyncRuns(db: Executor, before: Date, limit: number): Promise<number> {
  return deleteBatch(db, syncRuns, sql`finished_at < ${before.toISOString()}`, limit);
}

/** One batch of completed step runs of finished workflow runs, finished before `before` (the run row stays). */
export function deleteOldStepRuns(db: Executor, before: Date, limit: number): Promise<number> {
  const finishedRun = sql`exists (select 1 from ${workflowInstances} i where i.id = instance_id and i.status <> 'active')`;
  return deleteBatch(db, workflowStepRuns, sql`status = 'completed' and finished_at < ${before.toISOString()} and ${finishedRun}`, limit);
}

/** One batch of event deliveries delivered before `before` (their attempt log with them); a failed one stays as the record of what never arrived. */
export function deleteDeliveredWebhookDeliveries(db: Executor, before: Date, limit: number): Promise<number> {
  return deleteBatch(db, webhookDeliveries, sql`status = 'delivered' and delivered_at < ${before.toISOString()}`, limit);
}

/** One batch of events older than `before` that no delivery refers to any more (all delivered and deleted, or none was owed). */
export async function deleteSettledWebhookEvents(db: Executor, before: Date, limit: number): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`
    with gone as (
      delete from ${webhookEvents} where (tenant_id, id) in (
        select e.tenant_id, e.id from ${webhookEvents} e
        where e.created_at < ${before.toISOString()}
          and not exists (select 1 from ${webhookDeliveries} d where d.tenant_id = e.tenant_id and d.event_id = e.id)
        limit ${limit})
      returning 1)
    select count(*)::int as n from gone`);
  return rows[0]!.n;
}

/** One batch of office alerts older than `before`: they quote the customers' texts, so they go with the message bodies. */
export function deleteOldOfficeAlerts(db: Executor, before: Date, limit: number): Promise<number> {
  return deleteBatch(db, officeAlerts, sql`created_at < ${before.toISOString()}`, limit);
}
