import { and, asc, eq, inArray, like, or, sql } from 'drizzle-orm';
import type { Executor, Transaction } from '../executor.js';
import {
  auditLog,
  communicationPreferences,
  conversationReads,
  ghlContacts,
  messages,
  outbox,
  reminders,
  stCustomerContacts,
  stCustomers,
  stLocationContacts,
  stLocations,
  webhookEvents,
  workflowEvents,
  workflowInstances,
  workflowStepRuns,
} from '../schema/index.js';
import { lockConsent } from './consent.js';
import { PERSON_TABLES, personMatcher, scanTable, scrubRow, type PersonMatcher } from './people-scan.js';

/** The tables a person export shows under their own name; anything else found by the scan is listed as `otherRecords`. */
const NAMED_TABLES = new Set([
  'messages',
  'communication_preferences',
  'conversation_reads',
  'reminders',
  'workflow_instances',
  'workflow_step_runs',
  'workflow_events',
  'st_customers',
  'st_customer_contacts',
  'st_locations',
  'st_location_contacts',
  'ghl_contacts',
  'office_alerts',
]);

const theirMessages = (tenantId: string, phone: string) =>
  and(eq(messages.tenantId, tenantId), or(and(eq(messages.direction, 'outbound'), eq(messages.to, phone)), and(eq(messages.direction, 'inbound'), eq(messages.from, phone))));

const theirRuns = (tenantId: string, phone: string) =>
  and(eq(workflowInstances.tenantId, tenantId), or(eq(workflowInstances.phone, phone), sql`${workflowInstances.cancelKeys} @> ${sql.param([`phone:${phone}`])}::text[]`));

async function matcherFor(db: Executor, tenantId: string, phone: string): Promise<PersonMatcher> {
  const rows = await db.select({ direction: messages.direction, body: messages.body }).from(messages).where(theirMessages(tenantId, phone));
  const bodies = (direction: string) => rows.filter((r) => r.direction === direction).map((r) => r.body);
  return personMatcher(phone, { written: bodies('inbound'), received: bodies('outbound') });
}

export type PersonRecord = Record<string, unknown>;

/** Everything one tenant holds about one phone number (E.164). */
export async function exportPerson(db: Executor, tenantId: string, phone: string) {
  const matcher = await matcherFor(db, tenantId, phone);
  const runs = await db.select().from(workflowInstances).where(theirRuns(tenantId, phone)).orderBy(asc(workflowInstances.startedAt));
  const steps = runs.length === 0 ? [] : await db.select().from(workflowStepRuns).where(inArray(workflowStepRuns.instanceId, runs.map((r) => r.id))).orderBy(asc(workflowStepRuns.createdAt));
  const customerContacts = await db.select().from(stCustomerContacts).where(and(eq(stCustomerContacts.tenantId, tenantId), eq(stCustomerContacts.phone, phone)));
  const locationContacts = await db.select().from(stLocationContacts).where(and(eq(stLocationContacts.tenantId, tenantId), eq(stLocationContacts.phone, phone)));
  const customerIds = [...new Set(customerContacts.flatMap((c) => (c.customerId === null ? [] : [c.customerId])))];
  const locationIds = [...new Set(locationContacts.flatMap((c) => (c.locationId === null ? [] : [c.locationId])))];
  const [consent] = await db.select().from(communicationPreferences).where(and(eq(communicationPreferences.tenantId, tenantId), eq(communicationPreferences.phone, phone)));
  const scanned = await Promise.all(PERSON_TABLES.filter((t) => !NAMED_TABLES.has(t.name) || t.name === 'office_alerts').map(async (t) => ({ table: t.name, rows: await scanTable(db, t, tenantId, matcher) })));
  const found = (name: string) => scanned.filter((s) => s.table === name).flatMap((s) => s.rows.map((r) => r.row));
  return {
    tenantId,
    phone,
    messages: await db.select().from(messages).where(theirMessages(tenantId, phone)).orderBy(asc(messages.createdAt), asc(messages.id)),
    consent: consent ?? null,
    consentHistory: {
      events: await db
        .select()
        .from(webhookEvents)
        .where(and(eq(webhookEvents.tenantId, tenantId), like(webhookEvents.type, 'consent.%'), sql`${webhookEvents.data} ->> 'phone' = ${phone}`))
        .orderBy(asc(webhookEvents.timestamp)),
      operatorChanges: await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'consent.set'), sql`${auditLog.target} ->> 'phone' = ${phone}`))
        .orderBy(asc(auditLog.createdAt)),
    },
    workflowRuns: runs.map((run) => ({ ...run, steps: steps.filter((s) => s.instanceId === run.id) })),
    workflowEvents: await db.select().from(workflowEvents).where(and(eq(workflowEvents.tenantId, tenantId), eq(workflowEvents.phone, phone))).orderBy(asc(workflowEvents.evaluatedAt)),
    reminders: await db.select().from(reminders).where(and(eq(reminders.tenantId, tenantId), eq(reminders.phone, phone))).orderBy(asc(reminders.dueAt)),
    servicetitan: {
      customers: customerIds.length === 0 ? [] : await db.select().from(stCustomers).where(and(eq(stCustomers.tenantId, tenantId), inArray(stCustomers.id, customerIds))),
      customerContacts,
      locations: locationIds.length === 0 ? [] : await db.select().from(stLocations).where(and(eq(stLocations.tenantId, tenantId), inArray(stLocations.id, locationIds))),
      locationContacts,
    },
    ghl: { contacts: await db.select().from(ghlContacts).where(and(eq(ghlContacts.tenantId, tenantId), eq(ghlContacts.phone, phone))) },
    officeAlerts: found('office_alerts'),
    conversationReads: await db.select().from(conversationReads).where(and(eq(conversationReads.tenantId, tenantId), eq(conversationReads.phone, phone))),
    // Rows of any other table that carry the number or one of the person's texts (webhook payloads, events, dead letters, …).
    otherRecords: scanned.filter((s) => s.table !== 'office_alerts' && s.rows.length > 0).map((s) => ({ table: s.table, rows: s.rows.map((r) => r.row) })),
  };
}

export type PersonExport = Awaited<ReturnType<typeof exportPerson>>;

export const ERASED_REASON = 'personal data erased';

/**
 * Erases one phone number's personal data for one tenant, inside the caller's transaction.
 * The consent row stays as it is: it is the legal record of an opt-out. First what is still
 * about to happen is stopped (queued texts, active runs, scheduled reminders, pending jobs);
 * then the records that stand for the person (contact rows, their customers and locations,
 * GHL contacts) lose their names, addresses and vendor record; then every table with a
 * tenant_id loses the number and the person's texts wherever they appear.
 * Returns the rows changed per table.
 */
export async function erasePerson(tx: Transaction, tenantId: string, phone: string): Promise<Record<string, number>> {
  // Waits for sends to this number still at Twilio, as an opt-out does; later ones see the cancel.
  await lockConsent(tx, tenantId, phone, 'exclusive');
  const matcher = await matcherFor(tx, tenantId, phone);
  const now = new Date();
  const changed: Record<string, number> = {};
  const count = (table: string, n: number) => {
    if (n > 0) changed[table] = (changed[table] ?? 0) + n;
  };

  await tx
    .update(messages)
    .set({ status: 'canceled', errorMessage: ERASED_REASON, updatedAt: now })
    .where(and(theirMessages(tenantId, phone), eq(messages.status, 'queued')));
  const runs = await tx
    .update(workflowInstances)
    .set({ status: 'cancelled', cancelReason: ERASED_REASON, nextStepAt: null, finishedAt: now, updatedAt: now })
    .where(and(theirRuns(tenantId, phone), eq(workflowInstances.status, 'active')))
    .returning({ id: workflowInstances.id });
  if (runs.length > 0) {
    await tx
      .update(workflowStepRuns)
      .set({ status: 'cancelled', error: ERASED_REASON, finishedAt: now })
      .where(and(inArray(workflowStepRuns.instanceId, runs.map((r) => r.id)), eq(workflowStepRuns.status, 'scheduled')));
  }
  await tx
    .update(reminders)
    .set({ status: 'cancelled', reason: ERASED_REASON, updatedAt: now })
    .where(and(eq(reminders.tenantId, tenantId), eq(reminders.phone, phone), eq(reminders.status, 'scheduled')));
  count('conversation_reads', (await tx.delete(conversationReads).where(and(eq(conversationReads.tenantId, tenantId), eq(conversationReads.phone, phone))).returning()).length);
  // A job not yet enqueued about this number has nothing left to act on.
  count('outbox', (await tx.delete(outbox).where(and(eq(outbox.tenantId, tenantId), sql`${outbox.payload}::text ~ ${matcher.pattern}`)).returning({ id: outbox.id })).length);

  const customerContacts = await tx
    .update(stCustomerContacts)
    .set({ raw: {}, value: null, phone: null })
    .where(and(eq(stCustomerContacts.tenantId, tenantId), eq(stCustomerContacts.phone, phone)))
    .returning({ customerId: stCustomerContacts.customerId });
  count('st_customer_contacts', customerContacts.length);
  const locationContacts = await tx
    .update(stLocationContacts)
    .set({ raw: {}, value: null, phone: null })
    .where(and(eq(stLocationContacts.tenantId, tenantId), eq(stLocationContacts.phone, phone)))
    .returning({ locationId: stLocationContacts.locationId });
  count('st_location_contacts', locationContacts.length);
  const customerIds = [...new Set(customerContacts.flatMap((c) => (c.customerId === null ? [] : [c.customerId])))];
  if (customerIds.length > 0) {
    const rows = await tx
      .update(stCustomers)
      .set({ raw: {}, name: null, street: null, city: null, zip: null })
      .where(and(eq(stCustomers.tenantId, tenantId), inArray(stCustomers.id, customerIds)))
      .returning({ id: stCustomers.id });
    count('st_customers', rows.length);
  }
  const locationIds = [...new Set(locationContacts.flatMap((c) => (c.locationId === null ? [] : [c.locationId])))];
  if (locationIds.length > 0) {
    const rows = await tx
      .update(stLocations)
      .set({ raw: {}, name: null, street: null, city: null, zip: null })
      .where(and(eq(stLocations.tenantId, tenantId), inArray(stLocations.id, locationIds)))
      .returning({ id: stLocations.id });
    count('st_locations', rows.length);
  }
  const contacts = await tx
    .update(ghlContacts)
    .set({ raw: {}, phone: null, email: null, firstName: null, lastName: null, fullName: null, tags: null, dndSettings: null })
    .where(and(eq(ghlContacts.tenantId, tenantId), eq(ghlContacts.phone, phone)))
    .returning({ id: ghlContacts.id });
  count('ghl_contacts', contacts.length);

  for (const table of PERSON_TABLES) {
    for (const row of await scanTable(tx, table, tenantId, matcher, true)) {
      if (await scrubRow(tx, table, row, matcher)) count(table.name, 1);
    }
  }
  return changed;
}
