import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { messages } from './messages.js';
import { tenants } from './tenants.js';

/** A tenant's reminder settings as stored; the reminders package validates and fills defaults. */
export type StoredReminderSettings = Record<string, unknown>;

export const reminderSettings = pgTable('reminder_settings', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').$type<StoredReminderSettings>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type ReminderStatus = 'scheduled' | 'sent' | 'cancelled' | 'skipped' | 'failed';

/**
 * One reminder per (appointment, offset, appointment start): a reschedule makes new rows
 * and cancels the old ones, so a text for the old time can never be mistaken for the new.
 * PostgreSQL is the record; the delayed BullMQ job that fires it can be rebuilt from here.
 */
export const reminders = pgTable(
  'reminders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    // ServiceTitan's appointment id.
    appointmentId: bigint('appointment_id', { mode: 'number' }).notNull(),
    offsetMinutes: integer('offset_minutes').notNull(),
    appointmentStart: timestamp('appointment_start', { withTimezone: true }).notNull(),
    // When it goes: start − offset, moved to the window's opening or to "now" when planned late.
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    status: text('status').$type<ReminderStatus>().notNull(),
    reason: text('reason'),
    // The number it was planned for (and sent to): replies from it confirm.
    phone: text('phone'),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    rescheduleRequestedAt: timestamp('reschedule_requested_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reminders_slot_key').on(t.tenantId, t.appointmentId, t.offsetMinutes, t.appointmentStart),
    index('reminders_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    // The reconciler's scan and the reply lookup.
    index('reminders_scheduled_due_idx').on(t.dueAt).where(sql`${t.status} = 'scheduled'`),
    index('reminders_sent_phone_idx').on(t.tenantId, t.phone, t.appointmentStart).where(sql`${t.status} = 'sent'`),
  ],
);

export type VendorWriteStatus = 'pending' | 'sending' | 'done' | 'failed';

/**
 * Writes to a vendor that must happen once (a ServiceTitan appointment confirmation):
 * the row is claimed before the call and closed after it, so a retry, a twin job or a
 * replayed reply never makes the call again once it succeeded.
 */
export const vendorWrites = pgTable(
  'vendor_writes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    vendor: text('vendor').notNull(),
    operation: text('operation').notNull(),
    // Unique per tenant: the same request made twice finds the first row.
    key: text('key').notNull(),
    target: jsonb('target').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<VendorWriteStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('vendor_writes_tenant_key').on(t.tenantId, t.key),
    index('vendor_writes_open_idx').on(t.createdAt).where(sql`${t.status} in ('pending', 'sending')`),
  ],
);
