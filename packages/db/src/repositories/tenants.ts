import { desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { afterCursor, cursorTimestamp, decodeCursor, toPage, type Page } from '../pagination.js';
import { tenants, type AlertSettings, type GhlCredentials, type GhlEstimatePipeline, type ServiceTitanCredentials, type TwilioSettings } from '../schema/index.js';

export type TenantRow = typeof tenants.$inferSelect;

export type TenantInput = {
  name: string;
  timezone: string;
  servicetitan?: ServiceTitanCredentials | null;
  ghl?: GhlCredentials | null;
  twilio?: TwilioSettings | null;
  alerts?: AlertSettings | null;
};

/** What callers may see of a tenant: identifiers, never secrets. */
export type PublicTenant = {
  id: string;
  name: string;
  timezone: string;
  servicetitan: { tenantId: string; clientId: string; configured: true } | null;
  ghl: { locationId: string; configured: true; estimatePipeline: GhlEstimatePipeline | null } | null;
  twilio: {
    from: string | null;
    messagingServiceSid: string | null;
    accountSid: string | null;
    hasOwnAuthToken: boolean;
    sendWindow: { start: string; end: string } | null;
    segmentsPerSecond: number | null;
  } | null;
  /** Office alerts by text: the office numbers and, when narrowed, the event types forwarded. */
  alerts: { replyTo: string[]; events: string[] | null } | null;
  createdAt: string;
  updatedAt: string;
};

export function toPublicTenant(row: TenantRow): PublicTenant {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    servicetitan: row.servicetitan
      ? { tenantId: row.servicetitan.tenantId, clientId: row.servicetitan.clientId, configured: true }
      : null,
    ghl: row.ghl ? { locationId: row.ghl.locationId, configured: true, estimatePipeline: row.ghl.estimatePipeline ?? null } : null,
    twilio: row.twilio
      ? {
          from: row.twilio.from ?? null,
          messagingServiceSid: row.twilio.messagingServiceSid ?? null,
          accountSid: row.twilio.accountSid ?? null,
          hasOwnAuthToken: Boolean(row.twilio.authToken),
          sendWindow: row.twilio.sendWindow ?? null,
          segmentsPerSecond: row.twilio.segmentsPerSecond ?? null,
        }
      : null,
    alerts: row.alerts ? { replyTo: row.alerts.replyTo, events: row.alerts.events ?? null } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function createTenant(db: Database, input: TenantInput): Promise<TenantRow> {
  const [row] = await db.insert(tenants).values(input).returning();
  return row!;
}

export async function findTenant(db: Database, id: string): Promise<TenantRow | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id));
  return row;
}

/** Only the name (texts sign with it): no vendor secrets are read or unsealed. */
export async function findTenantName(db: Database, id: string): Promise<string | undefined> {
  const [row] = await db.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, id));
  return row?.name;
}

export async function updateTenant(db: Executor, id: string, patch: Partial<TenantInput>): Promise<TenantRow | undefined> {
  const [row] = await db
    .update(tenants)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(tenants.id, id))
    .returning();
  return row;
}

export async function listTenants(db: Database, opts: { limit: number; cursor?: string }): Promise<Page<TenantRow>> {
  const after = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  const rows = await db
    .select({ ...getTableColumns(tenants), cursorAt: cursorTimestamp(tenants.createdAt) })
    .from(tenants)
    .where(after ? afterCursor(tenants.createdAt, tenants.id, after) : undefined)
    .orderBy(desc(tenants.createdAt), desc(tenants.id))
    .limit(opts.limit + 1);
  return toPage<TenantRow>(rows, opts.limit);
}

/** The tenant connected to a GoHighLevel location (unique: tenants_ghl_location_key). */
export async function findTenantByGhlLocation(db: Database, locationId: string): Promise<TenantRow | undefined> {
  const [row] = await db.select().from(tenants).where(sql`${tenants.ghl}->>'locationId' = ${locationId}`).limit(1);
  return row;
}

/**
 * The tenant that owns a Twilio number (its `from`) or Messaging Service. Each is unique
 * (tenants_twilio_from_key, tenants_twilio_service_key); the number wins when the two
 * name different tenants.
 */
export async function findTenantBySmsNumber(db: Database, to: string, messagingServiceSid?: string): Promise<TenantRow | undefined> {
  const byService = messagingServiceSid ? sql` or ${tenants.twilio}->>'messagingServiceSid' = ${messagingServiceSid}` : sql``;
  const [row] = await db
    .select()
    .from(tenants)
    .where(sql`${tenants.twilio}->>'from' = ${to}${byService}`)
    .orderBy(sql`(${tenants.twilio}->>'from' = ${to}) desc`)
    .limit(1);
  return row;
}

/** Every tenant's id, for system-wide passes that work tenant by tenant (retention). */
export async function listAllTenantIds(db: Executor): Promise<string[]> {
  const rows = await db.select({ id: tenants.id }).from(tenants).orderBy(tenants.id);
  return rows.map((r) => r.id);
}
