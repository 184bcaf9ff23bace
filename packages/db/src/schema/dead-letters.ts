import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const deadLetters = pgTable(
  'dead_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    queue: text('queue').notNull(),
    jobName: text('job_name').notNull(),
    jobId: text('job_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    attempts: integer('attempts').notNull(),
    error: text('error').notNull(),
    stack: text('stack'),
    tenantId: uuid('tenant_id'),
    correlationId: text('correlation_id'),
    failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow(),
    replayedAt: timestamp('replayed_at', { withTimezone: true }),
    replayJobId: text('replay_job_id'),
  },
  (t) => [
    // A worker that dies after recording but before BullMQ marks the job failed runs
    // the final attempt again; this key keeps that from writing a second row.
    uniqueIndex('dead_letters_job_attempt_key').on(t.queue, t.jobId, t.attempts),
    index('dead_letters_failed_at_idx').on(t.failedAt, t.id),
    index('dead_letters_tenant_idx').on(t.tenantId, t.failedAt),
  ],
);
