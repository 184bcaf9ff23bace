import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sealedJsonb } from '../secrets/sealed-jsonb.js';

export type ServiceTitanCredentials = { tenantId: string; clientId: string; clientSecret: string; appKey: string };
/** Where ServiceTitan estimates become GHL opportunities (ids of the tenant's synced ghl_pipelines). */
export type GhlEstimatePipeline = { pipelineId: string; openStageId: string; soldStageId?: string; lostStageId?: string };
// estimatePipeline is a setting, not a secret: only the token is sealed.
export type GhlCredentials = { locationId: string; token: string; estimatePipeline?: GhlEstimatePipeline };
export type TwilioSettings = {
  from?: string;
  messagingServiceSid?: string;
  accountSid?: string;
  authToken?: string;
  /** Local send window for follow-ups and reminders ("08:00"–"21:00" when unset). */
  sendWindow?: { start: string; end: string };
  /** Per-sender throughput; unset = SMS_SEGMENTS_PER_SECOND. */
  segmentsPerSecond?: number;
};

/** Office alerts by text: which numbers get them, and for which event types (unset: the defaults). */
export type AlertSettings = { replyTo: string[]; events?: string[] };

/** The fields of each vendor block that are secrets, sealed at rest. */
export const TENANT_SECRET_FIELDS = {
  servicetitan: ['clientSecret', 'appKey'],
  ghl: ['token'],
  twilio: ['authToken'],
} as const satisfies { servicetitan: Array<keyof ServiceTitanCredentials>; ghl: Array<keyof GhlCredentials>; twilio: Array<keyof TwilioSettings> };

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
  // Vendor credentials are write-only through the API: repositories never return them to
  // callers. Their secrets are sealed at rest (AES-256-GCM, FIELDHAND_ENCRYPTION_KEY).
  servicetitan: sealedJsonb<ServiceTitanCredentials>('servicetitan', TENANT_SECRET_FIELDS.servicetitan),
  ghl: sealedJsonb<GhlCredentials>('ghl', TENANT_SECRET_FIELDS.ghl),
  twilio: sealedJsonb<TwilioSettings>('twilio', TENANT_SECRET_FIELDS.twilio),
  alerts: jsonb('alerts').$type<AlertSettings>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  // A sender belongs to exactly one tenant: inbound texts (STOPs included) and sends are
  // attributed by it. The names are matched by the API's 409 (SENDER_CONSTRAINTS).
  uniqueIndex('tenants_twilio_from_key').on(sql`(${t.twilio} ->> 'from')`),
  uniqueIndex('tenants_twilio_service_key').on(sql`(${t.twilio} ->> 'messagingServiceSid')`),
  // A GoHighLevel location belongs to one tenant: its webhooks name the location, not us.
  uniqueIndex('tenants_ghl_location_key').on(sql`(${t.ghl} ->> 'locationId')`),
]);

/** Unique constraints that make a Twilio sender one tenant's. */
export const SENDER_CONSTRAINTS = ['tenants_twilio_from_key', 'tenants_twilio_service_key'] as const;

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // null for an admin key, which may act on every tenant.
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // The public part of the key, used to find the row; the secret part is only hashed.
    prefix: text('prefix').notNull().unique(),
    hash: text('hash').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_tenant_idx').on(t.tenantId)],
);
