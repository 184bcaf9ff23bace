// Customer data requests (#17, must-show 4): export then erase one number with history.
// After the erase no text or JSON column of any table holds the number's digits or one of
// its texts, except the consent record (kept as the legal proof of the opt-out), and a
// send to the number is still refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import {
  communicationPreferences,
  findMessageById,
  ghlContacts,
  messages,
  officeAlerts,
  recordDeadLetter,
  reminders,
  stCustomerContacts,
  stCustomers,
  stJobs,
  stLocationContacts,
  stLocations,
  webhookEvents,
  workflowDefinitions,
  workflowEvents,
  workflowInstances,
} from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, tenantInput } from './support/test-api.js';
import { ACCOUNT_SID, AUTH_TOKEN, SENDER, sign, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
const admin = { key: ADMIN_KEY };
const ROSA = '+15127039101';
const DIGITS = '5127039101';
const enc = encodeURIComponent;
let otherTenant = '';
let tenantKey = { key: '', prefix: '' };

const OUR_TEXT = 'Your estimate for the new furnace is ready to review';
const HER_REPLY = 'Can you come Thursday after 3 pm? The side gate code is 4471';
const HER_STOP = 'STOP';
const OTHER_TENANT_TEXT = 'Other tenant: your water heater quote is attached';

let sids = 0;
async function textUs(from: string, body: string): Promise<void> {
  const params = { MessageSid: `SM${String(++sids).padStart(32, '7')}`, AccountSid: ACCOUNT_SID, From: from, To: SENDER, Body: body, NumMedia: '0', NumSegments: '1' };
  const url = `${h.api.url}/webhooks/twilio/sms`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(AUTH_TOKEN, url, params) }, body: new URLSearchParams(params) });
  expect(res.status).toBe(200);
}

const settled = (id: string, statuses: string[]) =>
  until(async () => {
    const row = await findMessageById(h.api.db, id);
    return row && statuses.includes(row.status) ? row : undefined;
  }, 15_000, `message ${id} in ${statuses.join('/')}`);

/** Every row of the other tenant that carries the number, to prove the erase left it alone. */
async function otherTenantRows(): Promise<string> {
  const db = h.api.db;
  return JSON.stringify([
    await db.select().from(messages).where(eq(messages.tenantId, otherTenant)),
    await db.select().from(communicationPreferences).where(eq(communicationPreferences.tenantId, otherTenant)),
    await db.select().from(stCustomerContacts).where(eq(stCustomerContacts.tenantId, otherTenant)),
    await db.select().from(ghlContacts).where(eq(ghlContacts.tenantId, otherTenant)),
  ]);
}

/** `table.column` → rows (outside the other tenant) whose text holds `needle`; `digits` compares digits only, any spelling. */
async function findEverywhere(needle: string, digits: boolean): Promise<Record<string, number>> {
  const db = h.api.db;
  const { rows: columns } = await db.execute<{ table_name: string; column_name: string }>(sql`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`);
  const { rows: tenantTables } = await db.execute<{ table_name: string }>(sql`select table_name from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id'`);
  const scoped = new Set(tenantTables.map((t) => t.table_name));
  const found: Record<string, number> = {};
  for (const { table_name: table, column_name: column } of columns) {
    const text = sql`${sql.identifier(column)}::text`;
    const match = digits ? sql`regexp_replace(${text}, '[^0-9]', '', 'g') like ${`%${needle}%`}` : sql`strpos(${text}, ${needle}) > 0`;
    const outside = scoped.has(table) ? sql`and tenant_id is distinct from ${otherTenant}` : sql``;
    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${match} ${outside}`);
    if (rows[0]!.n > 0) found[`${table}.${column}`] = rows[0]!.n;
  }
  return found;
}

beforeAll(async () => {
  h = await startSmsHarness();
  h.startWorker();
  const t = h.tenantId;
  const db = h.api.db;
  const key = await h.api.request(`/api/v1/tenants/${t}/api-keys`, { method: 'POST', ...admin, body: { name: 'office' } });
  tenantKey = { key: key.body.key, prefix: key.body.prefix };

  // ServiceTitan and GHL know her under other spellings of the number.
  const modifiedOn = new Date('2030-05-01T00:00:00Z');
  await db.insert(stCustomers).values({ tenantId: t, id: 901, active: true, modifiedOn, name: 'Rosa Diaz', street: '12 Elm St', city: 'Austin', state: 'TX', zip: '78701', raw: { id: 901, name: 'Rosa Diaz', address: { street: '12 Elm St', city: 'Austin' } } });
  await db.insert(stCustomerContacts).values({ tenantId: t, id: 9011, active: true, modifiedOn, customerId: 901, type: 'MobilePhone', value: '(512) 703-9101', phone: ROSA, raw: { id: 9011, type: 'MobilePhone', value: '(512) 703-9101', memo: 'Rosa cell' } });
  await db.insert(stLocations).values({ tenantId: t, id: 902, active: true, modifiedOn, customerId: 901, name: 'Rosa Diaz home', street: '12 Elm St', city: 'Austin', state: 'TX', zip: '78701', raw: { id: 902, name: 'Rosa Diaz home' } });
  await db.insert(stLocationContacts).values({ tenantId: t, id: 9021, active: true, modifiedOn, locationId: 902, type: 'MobilePhone', value: '512.703.9101', phone: ROSA, raw: { id: 9021, value: '512.703.9101' } });
  await db.insert(stJobs).values({ tenantId: t, id: 903, active: true, modifiedOn, customerId: 901, jobStatus: 'Scheduled', raw: { id: 903, summary: 'Call ahead on 512-703-9101, dog in yard', total: 250 } });
  await db.insert(ghlContacts).values({ tenantId: t, id: 'ghl-rosa', modifiedOn, phone: ROSA, email: 'rosa@example.com', firstName: 'Rosa', lastName: 'Diaz', fullName: 'Rosa Diaz', raw: { id: 'ghl-rosa', phone: ROSA, email: 'rosa@example.com', firstName: 'Rosa' } });

  // Texts both ways, her STOP, and what the system wrote about them.
  const sent = await h.api.request(`/api/v1/tenants/${t}/messages`, { method: 'POST', ...admin, body: { to: ROSA, body: OUR_TEXT } });
  await settled(sent.body.id, ['delivered']);
  await textUs(ROSA, HER_REPLY);
  await textUs(ROSA, HER_STOP);
  await until(async () => (await h.api.request(`/api/v1/tenants/${t}/consent/${enc(ROSA)}`, admin)).body.optedOut === true, 15_000, 'the STOP');
  expect((await h.api.request(`/api/v1/tenants/${t}/consent/${enc(ROSA)}`, { method: 'PUT', key: tenantKey.key, body: { optedOut: true, keyword: 'told the technician' } })).status).toBe(200);
  expect((await h.api.request(`/api/v1/tenants/${t}/conversations/${enc(ROSA)}/read`, { method: 'POST', ...admin })).status).toBe(200);

  await db.insert(reminders).values({ tenantId: t, appointmentId: 7001, offsetMinutes: 120, appointmentStart: new Date('2030-06-10T15:00:00Z'), dueAt: new Date('2030-06-10T13:00:00Z'), status: 'scheduled', phone: ROSA });
  const [definition] = await db.insert(workflowDefinitions).values({ tenantId: t, key: 'estimate-follow-up', version: 1, name: 'Estimate follow-up', document: {} }).returning();
  await db.insert(workflowInstances).values({ tenantId: t, definitionId: definition!.id, definitionKey: 'estimate-follow-up', definitionVersion: 1, subjectType: 'estimate', subjectId: '55', customerId: 901, phone: ROSA, status: 'active', cancelKeys: ['estimate:55', `phone:${ROSA}`] });
  await db.insert(workflowEvents).values({ tenantId: t, eventId: 'sms-replied-rosa', type: 'sms.replied', subjectType: 'phone', subjectId: ROSA, phone: ROSA, payload: { phone: ROSA, body: HER_REPLY }, evaluations: [] });
  await db.insert(webhookEvents).values({ tenantId: t, id: 'consent-rosa', type: 'consent.opted_out', timestamp: new Date(), data: { phone: ROSA, keyword: 'STOP', source: 'inbound_sms' } });
  await db.insert(officeAlerts).values({ tenantId: t, eventId: 'msg-received-rosa', eventType: 'message.received', officePhone: '+15127030000', body: `Rosa Diaz (512) 703-9101: ${HER_REPLY}` });
  await recordDeadLetter(db, { queue: 'sms-send', jobName: 'sms.send', jobId: 'dl-rosa', data: { to: ROSA, body: OUR_TEXT }, attempts: 5, error: `Twilio 21610 for ${ROSA}`, tenantId: t, correlationId: null });

  // Another tenant knows the same number: none of it may change.
  const other = await h.api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Other Plumbing') });
  otherTenant = other.body.id;
  await db.insert(messages).values({ tenantId: otherTenant, direction: 'outbound', to: ROSA, from: '+15550001111', body: OTHER_TENANT_TEXT, status: 'delivered', segments: 1 });
  await db.insert(stCustomerContacts).values({ tenantId: otherTenant, id: 9011, active: true, modifiedOn, customerId: 901, type: 'MobilePhone', value: ROSA, phone: ROSA, raw: { value: ROSA } });
  await db.insert(ghlContacts).values({ tenantId: otherTenant, id: 'ghl-rosa', modifiedOn, phone: ROSA, firstName: 'Rosa', raw: { phone: ROSA } });
  await h.api.request(`/api/v1/tenants/${otherTenant}/consent/${enc(ROSA)}`, { method: 'PUT', ...admin, body: { optedOut: true } });
}, 90_000);
afterAll(() => h.stop());

describe('customer data requests', () => {
  it('exports everything the tenant holds about the number', async () => {
    const res = await h.api.request(`/api/v1/tenants/${h.tenantId}/people/${enc('(512) 703-9101')}/export`, { key: tenantKey.key });
    expect(res.status, res.text).toBe(200);
    const e = res.body;
    expect(e.phone).toBe(ROSA);
    expect(e.messages.map((m: { direction: string; body: string }) => [m.direction, m.body])).toEqual([
      ['outbound', OUR_TEXT],
      ['inbound', HER_REPLY],
      ['inbound', HER_STOP],
    ]);
    expect(e.messages[0].statusHistory.map((s: { status: string }) => s.status)).toContain('delivered');
    expect(e.consent).toMatchObject({ phone: ROSA, smsOptOut: true, keyword: 'told the technician', source: 'api' });
    expect(e.consentHistory.events.map((x: { type: string }) => x.type)).toEqual(['consent.opted_out']);
    expect(e.consentHistory.operatorChanges).toHaveLength(1);
    expect(e.consentHistory.operatorChanges[0]).toMatchObject({ action: 'consent.set', actor: tenantKey.prefix });
    expect(e.workflowRuns).toHaveLength(1);
    expect(e.workflowRuns[0]).toMatchObject({ subjectId: '55', phone: ROSA, steps: [] });
    expect(e.workflowEvents.map((x: { eventId: string }) => x.eventId)).toEqual(['sms-replied-rosa']);
    expect(e.reminders).toHaveLength(1);
    expect(e.reminders[0]).toMatchObject({ appointmentId: 7001, phone: ROSA });
    expect(e.servicetitan.customers.map((c: { name: string }) => c.name)).toEqual(['Rosa Diaz']);
    expect(e.servicetitan.customerContacts.map((c: { value: string }) => c.value)).toEqual(['(512) 703-9101']);
    expect(e.servicetitan.locations.map((c: { name: string }) => c.name)).toEqual(['Rosa Diaz home']);
    expect(e.servicetitan.locationContacts.map((c: { value: string }) => c.value)).toEqual(['512.703.9101']);
    expect(e.ghl.contacts.map((c: { email: string }) => c.email)).toEqual(['rosa@example.com']);
    expect(e.officeAlerts).toHaveLength(1);
    expect(e.conversationReads).toHaveLength(1);
    const other = Object.fromEntries(e.otherRecords.map((r: { table: string; rows: unknown[] }) => [r.table, r.rows.length]));
    // Her texts' webhook payloads, the job written for her opt-out, the job's record of the
    // number, the dead letter and the consent event all carry the number.
    expect(Object.keys(other)).toEqual(expect.arrayContaining(['webhook_inbox', 'st_jobs', 'dead_letters', 'webhook_events', 'audit_log']));
    expect(JSON.stringify(e)).not.toContain(OTHER_TENANT_TEXT);
  });

  it("erases the number's personal data; only the consent record keeps it, and it still says opted out", async () => {
    const t = h.tenantId;
    // The seed reached the tables an erase must clean (a test that found nothing before could not fail after).
    expect(Object.keys(await findEverywhere(DIGITS, true))).toEqual(
      expect.arrayContaining(['messages.to', 'messages.from', 'webhook_inbox.payload', 'outbox.payload', 'st_customer_contacts.raw', 'st_jobs.raw', 'ghl_contacts.raw', 'reminders.phone', 'workflow_instances.cancel_keys', 'workflow_events.payload', 'office_alerts.body', 'dead_letters.error', 'audit_log.target', 'conversation_reads.phone']),
    );
    const otherBefore = await otherTenantRows();

    const res = await h.api.request(`/api/v1/tenants/${t}/people/${enc(ROSA)}`, { method: 'DELETE', key: tenantKey.key, headers: { 'x-correlation-id': 'erase-rosa-1' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ tenantId: t, phone: ROSA, consent: { optedOut: true } });
    expect(res.body.changed).toMatchObject({ messages: 3, st_customers: 1, st_customer_contacts: 1, st_locations: 1, st_location_contacts: 1, ghl_contacts: 1, reminders: 1, conversation_reads: 1 });

    // Every text, JSON and array column of every table, the number in any spelling, then her texts.
    expect(await findEverywhere(DIGITS, true)).toEqual({ 'communication_preferences.phone': 1 });
    for (const text of [OUR_TEXT, HER_REPLY, 'side gate code is 4471', 'Rosa Diaz', 'rosa@example.com', '12 Elm St']) {
      expect(await findEverywhere(text, false), text).toEqual({});
    }
    // The STOP is only in the consent record of the other tenant... and nowhere of hers but as her opt-out.
    expect(Object.keys(await findEverywhere(HER_STOP, false)).filter((c) => !c.startsWith('communication_preferences.'))).toEqual([]);

    // What was still to happen for her is stopped.
    const [run] = await h.api.db.select().from(workflowInstances).where(eq(workflowInstances.tenantId, t));
    expect(run).toMatchObject({ status: 'cancelled', cancelReason: 'personal data erased', phone: null, cancelKeys: ['estimate:55'] });
    const [reminder] = await h.api.db.select().from(reminders).where(eq(reminders.tenantId, t));
    expect(reminder).toMatchObject({ status: 'cancelled', phone: null });
    const kept = await h.api.db.select().from(messages).where(eq(messages.tenantId, t));
    expect(kept.map((m) => m.status).sort()).toEqual(['delivered', 'received', 'received']);
    expect(kept.every((m) => m.body === '')).toBe(true);
    // Her thread is gone from the office's conversations, and no thread without a number takes its place.
    const threads = await h.api.request(`/api/v1/tenants/${t}/conversations`, admin);
    expect(threads.status).toBe(200);
    expect(threads.body.data).toEqual([]);

    // The audit log names who asked and when, with the number masked.
    const audit = await h.api.request(`/api/v1/audit?tenantId=${t}`, admin);
    expect(audit.body.data[0]).toMatchObject({ action: 'person.erased', actor: tenantKey.prefix, correlationId: 'erase-rosa-1', target: { phone: '+*******9101' } });

    // The other tenant's copy of the same number is untouched.
    expect(await otherTenantRows()).toBe(otherBefore);
    expect(await findEverywhere(OTHER_TENANT_TEXT, false)).toEqual({});
    expect((await h.api.db.select().from(messages).where(eq(messages.tenantId, otherTenant)))[0]!.body).toBe(OTHER_TENANT_TEXT);

    // Erasing again finds nothing more.
    const again = await h.api.request(`/api/v1/tenants/${t}/people/${enc(ROSA)}`, { method: 'DELETE', ...admin });
    expect(again.status).toBe(200);
    expect(again.body.changed).toEqual({});
  });

  it('still treats the number as opted out: the consent API says so and a new text to it is cancelled', async () => {
    const t = h.tenantId;
    const consent = await h.api.request(`/api/v1/tenants/${t}/consent/${enc(ROSA)}`, admin);
    expect(consent.body).toMatchObject({ phone: ROSA, optedOut: true });
    const sent = await h.api.request(`/api/v1/tenants/${t}/messages`, { method: 'POST', ...admin, body: { to: ROSA, body: 'We miss you' } });
    expect(sent.status).toBe(202);
    const row = await settled(sent.body.id, ['canceled', 'delivered', 'accepted', 'sent']);
    expect(row.status).toBe('canceled');
    const exported = await h.api.request(`/api/v1/tenants/${t}/people/${enc(ROSA)}/export`, admin);
    expect(exported.body.consent).toMatchObject({ smsOptOut: true });
    expect(exported.body.servicetitan.customerContacts).toEqual([]);
    expect(exported.body.ghl.contacts).toEqual([]);
  });

  it('refuses bad input and other tenants with the standard error body', async () => {
    const t = h.tenantId;
    expectErrorBody(await h.api.request(`/api/v1/tenants/${t}/people/not-a-phone`, { method: 'DELETE', ...admin }), 400, 'validation_failed');
    expectErrorBody(await h.api.request(`/api/v1/tenants/${t}/people/123/export`, admin), 400, 'validation_failed');
    expectErrorBody(await h.api.request(`/api/v1/tenants/00000000-0000-4000-8000-000000000000/people/${enc(ROSA)}/export`, admin), 404);
    const otherKey = await h.api.request(`/api/v1/tenants/${otherTenant}/api-keys`, { method: 'POST', ...admin, body: { name: 'other' } });
    expectErrorBody(await h.api.request(`/api/v1/tenants/${t}/people/${enc(ROSA)}/export`, { key: otherKey.body.key }), 403);
    expectErrorBody(await h.api.request(`/api/v1/tenants/${otherTenant}/people/${enc(ROSA)}`, { method: 'DELETE', key: tenantKey.key }), 403);
    const readOnly = await h.api.request(`/api/v1/tenants/${t}/api-keys`, { method: 'POST', ...admin, body: { name: 'reader', scopes: ['read'] } });
    expectErrorBody(await h.api.request(`/api/v1/tenants/${t}/people/${enc(ROSA)}`, { method: 'DELETE', key: readOnly.body.key }), 403);
    expect((await h.api.db.select().from(messages).where(eq(messages.tenantId, otherTenant)))[0]!.body).toBe(OTHER_TENANT_TEXT);
  });
});
