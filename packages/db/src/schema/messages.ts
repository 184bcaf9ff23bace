import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/** One entry per status a message passed through, in arrival order. */
export type MessageStatusEntry = { status: string; at: string; source: string; errorCode?: number | null };

/**
 * The SMS ledger, both directions. An outbound row is written before Twilio is
 * called, so a retry can tell "already sent" from "never sent": Twilio has no
 * idempotency key of its own.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    direction: text('direction').$type<'outbound' | 'inbound'>().notNull(),
    to: text('to').notNull(),
    from: text('from'),
    body: text('body').notNull(),
    // outbound: queued → sending → accepted → sent → delivered | undelivered | failed; also canceled, unknown.
    // inbound: received.
    status: text('status').notNull(),
    twilioSid: text('twilio_sid'),
    errorCode: integer('error_code'),
    errorMessage: text('error_message'),
    segments: integer('segments').notNull(),
    statusHistory: jsonb('status_history').$type<MessageStatusEntry[]>().notNull().default(sql`'[]'::jsonb`),
    idempotencyKey: text('idempotency_key'),
    // Where the recipient is, when the caller knows (a service location's address): decides quiet hours.
    recipientState: text('recipient_state'),
    recipientTimezone: text('recipient_timezone'),
    // Not before this instant (quiet hours); null = as soon as possible.
    sendAfter: timestamp('send_after', { withTimezone: true }),
    // Not after this instant: a reminder that cannot go before its appointment is cancelled, not sent late.
    sendBefore: timestamp('send_before', { withTimezone: true }),
    // When the worker claimed the row (queued → sending): the window in which Twilio may hold it.
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    correlationId: text('correlation_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_twilio_sid_key').on(t.twilioSid),
    uniqueIndex('messages_tenant_idempotency_key').on(t.tenantId, t.idempotencyKey),
    index('messages_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('messages_tenant_phone_idx').on(t.tenantId, t.to),
    // A customer's texts to us: their thread, and when they last wrote (the 24 h conversational window).
    index('messages_tenant_inbound_from_idx').on(t.tenantId, t.from, t.createdAt).where(sql`${t.direction} = 'inbound'`),
    index('messages_open_idx').on(t.status).where(sql`${t.status} in ('queued', 'sending')`),
    // Texts held for a person (`unknown`): the metrics count them on every scrape.
    index('messages_unknown_idx').on(t.tenantId).where(sql`${t.status} = 'unknown'`),
  ],
);

/**
 * Consent per tenant and phone. A row is only ever updated, never deleted: an
 * opt-out must outlive every retention policy.
 */
export const communicationPreferences = pgTable('communication_preferences', {
  tenantId: uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  phone: text('phone').notNull(),
  smsOptOut: boolean('sms_opt_out').notNull().default(false),
  // When the current state began.
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  // The keyword (STOP, "stop texting me", START, …) or action that caused it.
  keyword: text('keyword'),
  // inbound_sms | api | twilio_21610 | ghl
  source: text('source').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.phone] }),
  // Today's opt-outs (the metrics) and a report period's consent changes.
  index('communication_preferences_changed_idx').on(t.changedAt),
]);
