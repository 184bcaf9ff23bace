import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { messages } from './messages.js';
import { tenants } from './tenants.js';

export const OFFICE_ALERT_STATUSES = ['pending', 'sent', 'folded'] as const;
export type OfficeAlertStatus = (typeof OFFICE_ALERT_STATUSES)[number];

/**
 * One event to forward to one office number. `pending` until a text carries it: its own
 * (`sent`), or, past the per-number rate, the minute's summary (`folded`). `message_id`
 * is the ledger row that carried it; one row per (event, office number).
 */
export const officeAlerts = pgTable(
  'office_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    officePhone: text('office_phone').notNull(),
    body: text('body').notNull(),
    status: text('status').$type<OfficeAlertStatus>().notNull().default('pending'),
    // The summary a folded alert went into (its ledger idempotency key), fixed before the text is written.
    summaryKey: text('summary_key'),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('office_alerts_event_phone_key').on(t.tenantId, t.eventId, t.officePhone),
    index('office_alerts_phone_idx').on(t.tenantId, t.officePhone, t.createdAt),
    // The reconciler's scan: alerts still waiting for a text.
    index('office_alerts_unsent_idx').on(t.createdAt).where(sql`${t.messageId} is null`),
  ],
);
