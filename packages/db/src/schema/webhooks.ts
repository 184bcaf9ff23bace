import { sql } from 'drizzle-orm';
import { customType, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { openSecret, sealSecret } from '../secrets/secret-box.js';
import { tenants } from './tenants.js';

// A text column sealed like the tenants' vendor secrets (AES-256-GCM, FIELDHAND_ENCRYPTION_KEY):
// callers read and write the plain `whsec_…` secret, PostgreSQL holds only ciphertext.
const sealedText = (column: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealSecret(value, `webhook_endpoints.${column}`),
    fromDriver: (value) => openSecret(value, `webhook_endpoints.${column}`),
  })(column);

/** A tenant's event endpoint (Standard Webhooks): where, which event types, and its signing secrets. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    description: text('description'),
    secret: sealedText('secret').notNull(),
    // After a rotation the old secret signs alongside the new one until it expires.
    previousSecret: sealedText('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    disabledReason: text('disabled_reason'),
    // The first failed attempt since the last success: failing for long enough disables the endpoint.
    firstFailureAt: timestamp('first_failure_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_tenant_idx').on(t.tenantId, t.createdAt)],
);

/** Every event published, stored once by its id (receivers deduplicate by it). */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    type: text('type').notNull(),
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('webhook_events_created_at_idx').on(t.createdAt)],
);

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'sending', 'retrying', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One attempt of a delivery, as the deliveries API shows it. */
export type WebhookAttempt = {
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: string | null;
};

/**
 * One event to one endpoint: the state of its delivery (claimed with a lease while an
 * attempt is at the endpoint) and the history of its attempts.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull(),
    eventId: text('event_id').notNull(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    status: text('status').$type<WebhookDeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    attemptLog: jsonb('attempt_log').$type<WebhookAttempt[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_endpoint_event_key').on(t.endpointId, t.eventId),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    // The event's deliveries: the event FK's cascade and retention's "no delivery left" check.
    index('webhook_deliveries_event_idx').on(t.tenantId, t.eventId),
    // The reconciler's scan: deliveries still owed an attempt.
    index('webhook_deliveries_open_idx').on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'sending', 'retrying')`),
    foreignKey({ columns: [t.tenantId, t.eventId], foreignColumns: [webhookEvents.tenantId, webhookEvents.id], name: 'webhook_deliveries_event_fk' }).onDelete('cascade'),
  ],
);
