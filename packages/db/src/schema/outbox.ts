import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Jobs decided inside a database transaction, written in that same transaction
 * and enqueued only after it commits: a consumer never sees an event before the
 * rows it describes. A row lives until its consumer has handled the job, so a
 * crash before the enqueue or a Redis that lost the job loses nothing: the
 * maintenance role enqueues rows still here after a while (a no-op while the job
 * is still in Redis, its id being fixed).
 */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id'),
    queue: text('queue').notNull(),
    jobName: text('job_name').notNull(),
    // Deterministic, so enqueueing a row twice adds one job.
    jobId: text('job_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('outbox_created_at_idx').on(t.createdAt), index('outbox_job_id_idx').on(t.jobId)],
);
