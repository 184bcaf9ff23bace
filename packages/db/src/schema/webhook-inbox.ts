import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Every accepted webhook is written here before it is acknowledged, so a crash
 * between "acknowledged" and "processed" loses nothing: the maintenance role
 * re-enqueues rows left unprocessed.
 */
export const webhookInbox = pgTable(
  'webhook_inbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provider: text('provider').notNull(),
    // The vendor's id for the delivery (MessageSid, webhookId): redeliveries collide here.
    externalId: text('external_id').notNull(),
    tenantId: uuid('tenant_id'),
    // Which queue and job name processes the row; the reconciler re-enqueues with these.
    queue: text('queue').notNull(),
    jobName: text('job_name').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    correlationId: text('correlation_id'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    // The reconciler's re-enqueues (the webhook's own enqueue costs no write): when last, and how many.
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    uniqueIndex('webhook_inbox_provider_external_id_key').on(t.provider, t.externalId),
    index('webhook_inbox_unprocessed_idx').on(t.receivedAt).where(sql`${t.processedAt} is null`),
  ],
);
