import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor } from '../executor.js';
import { ghlCustomerLinks, ghlEstimateLinks, ghlPipelines, stCustomerContacts, stCustomers, stEstimates } from '../schema/index.js';

export type GhlCustomerLinkRow = typeof ghlCustomerLinks.$inferSelect;
export type GhlEstimateLinkRow = typeof ghlEstimateLinks.$inferSelect;
export type NewGhlEstimateLink = Omit<typeof ghlEstimateLinks.$inferInsert, 'createdAt' | 'pushedAt'>;

/**
 * Links the tenant's unlinked ServiceTitan customers (or only `customerIds`) to the GHL
 * contacts of the mirror: the same E.164 phone first, then the same email (case-blind).
 * When a customer matches several contacts, its mobile's match wins, then the oldest
 * contact. Returns the links made.
 */
export async function linkCustomersToContacts(db: Executor, tenantId: string, customerIds?: readonly number[]): Promise<{ byPhone: number; byEmail: number }> {
  if (customerIds?.length === 0) return { byPhone: 0, byEmail: 0 };
  const only = customerIds ? sql`and cc.customer_id in (${sql.join(customerIds.map((id) => sql`${id}`), sql`, `)})` : sql``;
  const unlinked = sql`not exists (select 1 from ghl_customer_links l where l.tenant_id = cc.tenant_id and l.st_customer_id = cc.customer_id)`;
  const byPhone = await db.execute(sql`
    insert into ghl_customer_links (tenant_id, st_customer_id, ghl_contact_id, matched_by)
    select distinct on (cc.customer_id) cc.tenant_id, cc.customer_id, g.id, 'phone'
    from st_customer_contacts cc
    join ghl_contacts g on g.tenant_id = cc.tenant_id and g.phone = cc.phone and g.active
    where cc.tenant_id = ${tenantId} and cc.active and cc.phone is not null and cc.customer_id is not null ${only} and ${unlinked}
    order by cc.customer_id, (cc.type = 'MobilePhone') desc, g.date_added asc nulls last, g.id
    on conflict do nothing`);
  const byEmail = await db.execute(sql`
    insert into ghl_customer_links (tenant_id, st_customer_id, ghl_contact_id, matched_by)
    select distinct on (cc.customer_id) cc.tenant_id, cc.customer_id, g.id, 'email'
    from st_customer_contacts cc
    join ghl_contacts g on g.tenant_id = cc.tenant_id and lower(g.email) = lower(cc.value) and g.active
    where cc.tenant_id = ${tenantId} and cc.active and cc.type = 'Email' and cc.value is not null and cc.customer_id is not null ${only} and ${unlinked}
    order by cc.customer_id, g.date_added asc nulls last, g.id
    on conflict do nothing`);
  return { byPhone: byPhone.rowCount ?? 0, byEmail: byEmail.rowCount ?? 0 };
}

export async function findCustomerLink(db: Executor, tenantId: string, customerId: number): Promise<GhlCustomerLinkRow | undefined> {
  const [row] = await db.select().from(ghlCustomerLinks).where(and(eq(ghlCustomerLinks.tenantId, tenantId), eq(ghlCustomerLinks.stCustomerId, customerId)));
  return row;
}

/** Links a customer to a contact we upserted; a link made meanwhile stays (and is returned). */
export async function saveCustomerLink(db: Executor, link: Pick<GhlCustomerLinkRow, 'tenantId' | 'stCustomerId' | 'ghlContactId' | 'matchedBy'>): Promise<GhlCustomerLinkRow> {
  const [inserted] = await db.insert(ghlCustomerLinks).values(link).onConflictDoNothing().returning();
  return inserted ?? (await findCustomerLink(db, link.tenantId, link.stCustomerId))!;
}

/** The customers sharing a GHL contact (a household). */
export async function customersOfContact(db: Executor, tenantId: string, contactId: string): Promise<number[]> {
  const rows = await db
    .select({ id: ghlCustomerLinks.stCustomerId })
    .from(ghlCustomerLinks)
    .where(and(eq(ghlCustomerLinks.tenantId, tenantId), eq(ghlCustomerLinks.ghlContactId, contactId)))
    .orderBy(asc(ghlCustomerLinks.stCustomerId));
  return rows.map((r) => r.id);
}

export type GhlPushCustomer = { id: number; name: string | null; phones: string[]; emails: string[] };

/** A customer's name, E.164 phones (mobile first) and emails, as a GHL contact needs them. */
export async function findCustomerForGhl(db: Executor, tenantId: string, customerId: number): Promise<GhlPushCustomer | undefined> {
  const [customer] = await db.select({ id: stCustomers.id, name: stCustomers.name }).from(stCustomers).where(and(eq(stCustomers.tenantId, tenantId), eq(stCustomers.id, customerId)));
  if (!customer) return undefined;
  const c = stCustomerContacts;
  const contacts = await db
    .select({ type: c.type, value: c.value, phone: c.phone })
    .from(c)
    .where(and(eq(c.tenantId, tenantId), eq(c.customerId, customerId), eq(c.active, true)))
    .orderBy(desc(eq(c.type, 'MobilePhone')), asc(c.id));
  const phones = [...new Set(contacts.map((r) => r.phone).filter((p): p is string => p !== null))];
  const emails = [...new Set(contacts.filter((r) => r.type === 'Email' && r.value).map((r) => r.value!.trim()))];
  return { id: customer.id, name: customer.name, phones, emails };
}

export type GhlPushEstimate = Pick<typeof stEstimates.$inferSelect, 'id' | 'name' | 'status' | 'total' | 'customerId' | 'active' | 'modifiedOn'>;

export async function findEstimateForGhl(db: Executor, tenantId: string, estimateId: number): Promise<GhlPushEstimate | undefined> {
  const e = stEstimates;
  const [row] = await db
    .select({ id: e.id, name: e.name, status: e.status, total: e.total, customerId: e.customerId, active: e.active, modifiedOn: e.modifiedOn })
    .from(e)
    .where(and(eq(e.tenantId, tenantId), eq(e.id, estimateId)));
  return row;
}

/**
 * The tenant's estimates a push can place: the customer is linked to a GHL contact, or
 * has a phone or an email to match or upsert one by. Ordered by id.
 */
export async function listPushableEstimates(db: Database, tenantId: string): Promise<Array<{ id: number; modifiedOn: Date }>> {
  const { rows } = await db.execute<{ id: string; modified_on: Date | string }>(sql`
    select e.id, e.modified_on from st_estimates e
    where e.tenant_id = ${tenantId} and e.customer_id is not null and (
      exists (select 1 from ghl_customer_links l where l.tenant_id = e.tenant_id and l.st_customer_id = e.customer_id)
      or exists (select 1 from st_customer_contacts cc where cc.tenant_id = e.tenant_id and cc.customer_id = e.customer_id and cc.active
                 and (cc.phone is not null or (cc.type = 'Email' and cc.value is not null))))
    order by e.id`);
  return rows.map((r) => ({ id: Number(r.id), modifiedOn: new Date(r.modified_on) }));
}

export async function findEstimateLink(db: Executor, tenantId: string, estimateId: number, pipelineId: string): Promise<GhlEstimateLinkRow | undefined> {
  const l = ghlEstimateLinks;
  const [row] = await db.select().from(l).where(and(eq(l.tenantId, tenantId), eq(l.stEstimateId, estimateId), eq(l.pipelineId, pipelineId)));
  return row;
}

/** Records the estimate's opportunity and what GHL now holds of it. */
export async function saveEstimateLink(db: Executor, link: NewGhlEstimateLink): Promise<void> {
  const pushed = { pushedStatus: link.pushedStatus, pushedStageId: link.pushedStageId ?? null, pushedValue: link.pushedValue ?? null, pushedName: link.pushedName, pushedAt: new Date() };
  await db
    .insert(ghlEstimateLinks)
    .values(link)
    .onConflictDoUpdate({ target: [ghlEstimateLinks.tenantId, ghlEstimateLinks.stEstimateId, ghlEstimateLinks.pipelineId], set: { ghlOpportunityId: link.ghlOpportunityId, ghlContactId: link.ghlContactId, ...pushed } });
}

export type GhlPipelineStages = { id: string; name: string | null; stageIds: string[] };

/** The tenant's synced (active) GHL pipelines with their stage ids. */
export async function listGhlPipelines(db: Executor, tenantId: string): Promise<GhlPipelineStages[]> {
  const rows = await db
    .select({ id: ghlPipelines.id, name: ghlPipelines.name, stages: ghlPipelines.stages })
    .from(ghlPipelines)
    .where(and(eq(ghlPipelines.tenantId, tenantId), eq(ghlPipelines.active, true)));
  return rows.map((r) => ({ id: r.id, name: r.name, stageIds: (r.stages ?? []).map((s) => s.id).filter((id): id is string => typeof id === 'string') }));
}

export class EstimatePushBusyError extends Error {
  constructor(estimateId: number) {
    super(`another worker is pushing estimate ${estimateId} to GHL`);
    this.name = 'EstimatePushBusyError';
  }
}

const LOCK_POLL_MS = 100;

/**
 * Serialises pushes of one estimate across every worker: a session advisory lock on its
 * own connection (not a transaction, so a slow GHL call does not hit the idle-in-
 * transaction timeout). Released by the returned function, or by PostgreSQL when the
 * holder's connection dies (kill -9). A waiter polls without holding a connection, so
 * twins waiting for one estimate never starve the pool the holder needs; after `waitMs`
 * it gives up (EstimatePushBusyError, for the job to retry).
 */
export async function lockEstimatePush(db: Database, tenantId: string, estimateId: number, waitMs = 60_000): Promise<() => Promise<void>> {
  const key = `ghl-push-estimate:${tenantId}:${estimateId}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const client = await db.$client.connect();
    let locked = false;
    try {
      const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [key]);
      locked = result.rows[0]?.locked === true;
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    if (locked) {
      return async () => {
        try {
          await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]);
          client.release();
        } catch (error) {
          // A connection whose lock state is unknown must not go back to the pool.
          client.release(error as Error);
        }
      };
    }
    client.release();
    if (Date.now() > deadline) throw new EstimatePushBusyError(estimateId);
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS + Math.floor(Math.random() * LOCK_POLL_MS)));
  }
}
