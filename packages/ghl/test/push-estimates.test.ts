// ServiceTitan estimates pushed to GHL opportunities: customers linked to contacts (phone,
// then email, a household sharing one), one opportunity per estimate whatever repeats,
// won/lost with their stages, and an answer lost after GHL made the opportunity adopted.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase, findTenant, linkCustomersToContacts, updateTenant, type Database, type GhlEstimatePipeline } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, UnrecoverableError, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { startSync } from '@fieldhand/sync';
import type { RunningSandbox, Sandbox } from '../../../apps/sandbox/src/index.js';
import { createGhlHttp, GhlClient, GhlNotConfiguredError, pushEstimate, pushEstimates, type GhlLocation, type GhlPushDeps } from '../src/index.js';
import { createGhlTenant, createLocation, logger, startSandbox, startSyncWorker, waitForIdle } from './harness.js';

let t: TestDatabase;
let db: Database;
let pool: Database;
let redis: TestRedis;
let sandbox: Sandbox;
let running: RunningSandbox;
let location: GhlLocation;
let tenantId: string;
let bus: JobBus<FieldhandCatalog>;
let deps: GhlPushDeps;
let setting: GhlEstimatePipeline;
/** Every request the push's client sent: `METHOD path` and its JSON body. */
const requests: Array<{ call: string; body: unknown }> = [];

// The sandbox seeds contact i with +1512 2 000 00i and ghl.contact<i>@example.com.
const ghlPhone = (i: number) => `+1512${String(2_000_000 + i).padStart(7, '0')}`;
const store = () => sandbox.accounts.ghlLocation(location.locationId)!.store;
const opportunitiesOf = (estimateId: number) => [...store().opportunities.values()].filter((o) => o.name.endsWith(`(ST #${estimateId})`));
const contactIdOfPhone = (phone: string) => [...store().contacts.values()].find((c) => c.phone === phone)!.id;
const calls = () => requests.map((r) => r.call);

async function customer(id: number, contacts: Array<{ type: string; value: string; phone?: string }>): Promise<void> {
  await db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) values (${tenantId}, ${id}, true, now(), '{}'::jsonb, ${`Customer ${id} Doe`})`);
  for (const [k, c] of contacts.entries()) {
    await db.execute(
      sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) values (${tenantId}, ${id * 10 + k}, true, now(), '{}'::jsonb, ${id}, ${c.type}, ${c.value}, ${c.phone ?? null})`,
    );
  }
}

async function estimate(id: number, customerId: number, status: string, subtotal: number, name = `Estimate ${id}`): Promise<void> {
  await db.execute(
    sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, tax, total)
        values (${tenantId}, ${id}, true, now(), '{}'::jsonb, ${customerId}, ${name}, ${status}, ${subtotal}, 0, ${subtotal})`,
  );
}

async function setStatus(id: number, status: string): Promise<void> {
  await db.execute(sql`update st_estimates set status = ${status}, modified_on = now() where tenant_id = ${tenantId} and id = ${id}`);
}

const push = (estimateId: number) => pushEstimate(deps, { tenantId, estimateId });

const faults = (rules: unknown[]) => fetch(`${running.url}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1, rules }) });

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  ({ sandbox, running } = await startSandbox());
  location = await createLocation(running, { contacts: 8 });
  tenantId = await createGhlTenant(db, location);
  // The mirror (contacts, pipelines) as the GHL sync brings it in.
  const sync = startSyncWorker(db, redis, running);
  await startSync(sync.deps, { tenantId, source: 'ghl', full: false });
  await waitForIdle(db, tenantId);
  await sync.close();

  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  const http = createGhlHttp(5_000);
  http.interceptors.request.use((request) => {
    requests.push({ call: `${String(request.method).toUpperCase()} ${new URL(String(request.url)).pathname.replace(/^\/ghl/, '')}`, body: request.data });
    return request;
  });
  const clients = async (id: string) => {
    const tenant = await findTenant(db, id);
    if (!tenant?.ghl) throw new GhlNotConfiguredError(id);
    return new GhlClient({ locationId: tenant.ghl.locationId, token: tenant.ghl.token }, { apiUrl: running.env.GHL_API_URL!, http, retry: { baseDelayMs: 10, maxDelayMs: 50 } });
  };
  // As a worker's pool: connections for every job running at once (each holds one for its estimate's lock).
  pool = createDatabase({ url: t.url, max: 12, applicationName: 'ghl-push-test' });
  deps = { db: pool, bus, logger, clients };

  const pipeline = store().pipelines[0]!;
  setting = { pipelineId: pipeline.id, openStageId: pipeline.stages[1]!.id, soldStageId: pipeline.stages[3]!.id, lostStageId: pipeline.stages[4]!.id };

  // 1: mobile of GHL contact 0. 2: phone of contact 1 and email of contact 2 (phone wins).
  // 3: email of contact 3 in other case. 4: contact 0's phone too (a household).
  // 5: a phone GHL does not know (upserted). 6: nothing to match or upsert by.
  await customer(1, [{ type: 'MobilePhone', value: '(512) 200-0000', phone: ghlPhone(0) }]);
  await customer(2, [{ type: 'Email', value: 'ghl.contact2@example.com' }, { type: 'Phone', value: '512-200-0001', phone: ghlPhone(1) }]);
  await customer(3, [{ type: 'Email', value: 'GHL.Contact3@Example.com' }]);
  await customer(4, [{ type: 'Phone', value: '512 200 0000', phone: ghlPhone(0) }]);
  await customer(5, [{ type: 'MobilePhone', value: '512-555-0100', phone: '+15125550100' }]);
  await customer(6, []);
});

afterAll(async () => {
  await bus?.close();
  if (pool) await closeDatabase(pool);
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
});

describe('linking ServiceTitan customers to GHL contacts', () => {
  it('matches by E.164 phone, then email, and lets a household share one contact', async () => {
    expect(await linkCustomersToContacts(db, tenantId)).toEqual({ byPhone: 3, byEmail: 1 });
    const { rows } = await db.execute<{ st_customer_id: string; ghl_contact_id: string; matched_by: string }>(sql`select * from ghl_customer_links where tenant_id = ${tenantId} order by st_customer_id`);
    const contact3 = [...store().contacts.values()].find((c) => c.email === 'ghl.contact3@example.com')!.id;
    expect(rows.map((r) => [Number(r.st_customer_id), r.ghl_contact_id, r.matched_by])).toEqual([
      [1, contactIdOfPhone(ghlPhone(0)), 'phone'],
      [2, contactIdOfPhone(ghlPhone(1)), 'phone'],
      [3, contact3, 'email'],
      [4, contactIdOfPhone(ghlPhone(0)), 'phone'],
    ]);
    // Matching again changes nothing.
    expect(await linkCustomersToContacts(db, tenantId)).toEqual({ byPhone: 0, byEmail: 0 });
  });
});

describe('pushing estimates to the estimate pipeline', () => {
  it('does nothing for a tenant without an estimate pipeline', async () => {
    await estimate(80000001, 1, 'Open', 1200, 'New AC');
    expect(await push(80000001)).toEqual({ status: 'skipped', reason: 'the tenant has no GHL estimate pipeline' });
    expect(opportunitiesOf(80000001)).toEqual([]);
  });

  it('pushes every linkable estimate once, whatever twin jobs and replays come', async () => {
    const tenant = (await findTenant(db, tenantId))!;
    await updateTenant(db, tenantId, { ghl: { ...tenant.ghl!, estimatePipeline: setting } });
    await estimate(80000002, 4, 'Open', 450.5);
    await estimate(80000003, 5, 'Open', 8000);
    await estimate(80000004, 6, 'Open', 300);
    await estimate(80000005, 3, 'Dismissed', 975);
    const contactsBefore = store().contacts.size;

    expect(await pushEstimates(deps, { tenantId })).toMatchObject({ status: 'enqueued', estimates: 4 });
    const jobs = await bus.queue('ghl-push').getJobs(['waiting', 'prioritized']);
    const ids = jobs.map((j) => (j.data as { estimateId: number }).estimateId).sort();
    expect(ids).toEqual([80000001, 80000002, 80000003, 80000005]);
    // A push-all retried enqueues nothing more.
    await pushEstimates(deps, { tenantId });
    expect(await bus.queue('ghl-push').getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 0, prioritized: 4 });

    // Twin jobs of each at once, then each again (a replay).
    requests.length = 0;
    await Promise.all(ids.flatMap((id) => [push(id), push(id)]));
    for (const id of ids) expect(await push(id)).toMatchObject({ status: 'unchanged' });

    for (const id of ids) expect(opportunitiesOf(id), `opportunities of estimate ${id}`).toHaveLength(1);
    expect(opportunitiesOf(80000004)).toEqual([]);
    expect(calls().filter((c) => c === 'POST /opportunities/')).toHaveLength(4);
    const ac = opportunitiesOf(80000001)[0]!;
    expect(ac).toMatchObject({ name: 'New AC (ST #80000001)', monetaryValue: 1200, status: 'open', pipelineId: setting.pipelineId, pipelineStageId: setting.openStageId, contactId: contactIdOfPhone(ghlPhone(0)) });
    // The household's second customer shares the contact.
    expect(opportunitiesOf(80000002)[0]).toMatchObject({ contactId: ac.contactId, monetaryValue: 450.5 });
    expect(opportunitiesOf(80000005)[0]).toMatchObject({ status: 'lost', pipelineStageId: setting.lostStageId });

    // Customer 5 got its contact through one upsert (twins may repeat it: GHL's upsert finds it), never with tags.
    expect(store().contacts.size).toBe(contactsBefore + 1);
    const upserts = requests.filter((r) => r.call === 'POST /contacts/upsert');
    expect(upserts.length).toBeGreaterThanOrEqual(1);
    for (const u of upserts) expect(typeof u.body === 'string' ? JSON.parse(u.body) : u.body).not.toHaveProperty('tags');
    expect(opportunitiesOf(80000003)[0]).toMatchObject({ contactId: contactIdOfPhone('+15125550100') });

    const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from vendor_writes where tenant_id = ${tenantId} and operation = 'create-opportunity' and status = 'done'`);
    expect(rows[0]!.n).toBe(4);
  });

  it('moves a sold estimate to won and its stage, and a dismissed one to lost', async () => {
    await setStatus(80000001, 'Sold');
    requests.length = 0;
    expect(await push(80000001)).toMatchObject({ status: 'updated' });
    const id = opportunitiesOf(80000001)[0]!.id;
    expect(calls()).toEqual([`PUT /opportunities/${id}`, `PUT /opportunities/${id}/status`]);
    expect(opportunitiesOf(80000001)).toEqual([expect.objectContaining({ status: 'won', pipelineStageId: setting.soldStageId })]);

    await setStatus(80000002, 'Dismissed');
    await push(80000002);
    expect(opportunitiesOf(80000002)).toEqual([expect.objectContaining({ status: 'lost', pipelineStageId: setting.lostStageId })]);
    requests.length = 0;
    await push(80000002);
    expect(calls()).toEqual([]);
  });

  it('adopts the opportunity GHL made when the answer to the create was lost', async () => {
    await estimate(80000012, 1, 'Open', 2500, 'Furnace');
    await faults([{ vendor: 'ghl', method: 'POST', endpoint: '/ghl/opportunities/', kind: 'respond-then-fail' }]);
    let error: unknown;
    try {
      await push(80000012);
    } catch (err) {
      error = err;
    } finally {
      await faults([]);
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    // GHL has it; we do not know its id.
    expect(opportunitiesOf(80000012)).toHaveLength(1);
    const { rows } = await db.execute<{ status: string; attempts: number }>(sql`select status, attempts from vendor_writes where tenant_id = ${tenantId} and key like ${'ghl-opportunity:%:80000012'}`);
    expect(rows).toEqual([{ status: 'pending', attempts: 1 }]);

    requests.length = 0;
    expect(await push(80000012)).toMatchObject({ status: 'adopted', opportunityId: opportunitiesOf(80000012)[0]!.id });
    expect(calls()).toEqual(['GET /opportunities/search']);
    expect(opportunitiesOf(80000012)).toEqual([expect.objectContaining({ name: 'Furnace (ST #80000012)', status: 'open' })]);
    const links = await db.execute<{ ghl_opportunity_id: string }>(sql`select ghl_opportunity_id from ghl_estimate_links where tenant_id = ${tenantId} and st_estimate_id = 80000012`);
    expect(links.rows).toEqual([{ ghl_opportunity_id: opportunitiesOf(80000012)[0]!.id }]);
    expect(await push(80000012)).toMatchObject({ status: 'unchanged' });
  });

  it('fails for good (dead-lettered) when GHL refuses the create', async () => {
    await estimate(80000013, 2, 'Open', 100);
    await faults([{ vendor: 'ghl', method: 'POST', endpoint: '/ghl/opportunities/', kind: 'http-error', status: 422 }]);
    try {
      await expect(push(80000013)).rejects.toBeInstanceOf(UnrecoverableError);
    } finally {
      await faults([]);
    }
    const { rows } = await db.execute<{ status: string; response_status: number }>(sql`select status, response_status from vendor_writes where tenant_id = ${tenantId} and key like ${'ghl-opportunity:%:80000013'}`);
    expect(rows).toEqual([{ status: 'failed', response_status: 422 }]);
    expect(opportunitiesOf(80000013)).toEqual([]);
  });
});
