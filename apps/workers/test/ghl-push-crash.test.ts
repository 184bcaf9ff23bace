// 500 ServiceTitan estimates → exactly 500 GHL opportunities, with kill -9 of the sync
// worker mid-push and GHL's answer to some creates lost after it made the opportunity
// (the sandbox's respond-then-fail). The ledger row written before each create, the
// estimate's lock and the search-before-retry keep every estimate to one opportunity;
// then selling one (through the sync's change events) moves it to won and its stage.
import { sql } from 'drizzle-orm';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, upsertSyncedRows, type GhlEstimatePipeline } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createRedis, flushOutbox, jobCatalog, JobBus, writeOutbox, type FieldhandCatalog } from '@fieldhand/queues';
import { startPrivateRedis, type PrivateRedis } from '@fieldhand/queues/testing';
import { ST_MODULES } from '@fieldhand/servicetitan';
import { changeEventJobs } from '@fieldhand/sync';
import { createSandbox, type RunningSandbox, type Sandbox } from '../../sandbox/src/index.js';
import { roleEnv, startRoleProcess, type RoleProcess } from './support/role-process.js';
import { sleep, until } from './support/until.js';

// Five locations (an agency's case): each has GHL's own budget of 100 requests per 10 s.
const TENANTS = 5;
const CUSTOMERS = 50;
const PER_CUSTOMER = 2;
const PER_TENANT = CUSTOMERS * PER_CUSTOMER;
const ESTIMATES = TENANTS * PER_TENANT;
// The first customers of each tenant share a phone with a GHL contact the mirror holds; the rest get one upserted.
const MATCHED = 10;

let t: TestDatabase;
let redis: PrivateRedis;
let sandbox: Sandbox;
let running: RunningSandbox;
let bus: JobBus<FieldhandCatalog>;
let worker: RoleProcess | undefined;
const connections: Array<Redis | Cluster> = [];
const tenants: Array<{ id: string; locationId: string; setting: GhlEstimatePipeline }> = [];

const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;
const linked = () => count(sql`select count(*)::int as n from ghl_estimate_links`);
const estimateId = (k: number, i: number) => 80_000_000 + k * 1_000 + i;
const storeOf = (locationId: string) => sandbox.accounts.ghlLocation(locationId)!.store;

// The sync role (pull and ghl-push) as its own process, as PM2 runs it: kill -9 is real.
const startSyncWorker = () =>
  startRoleProcess('sync', roleEnv({ databaseUrl: t.url, redisUrl: redis.url }, running.env));

async function seedTenant(k: number): Promise<void> {
  const response = await fetch(`${running.url}/_sandbox/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 100 + k, size: 1, ghl: { contacts: MATCHED } }) });
  const { ghl } = (await response.json()) as { ghl: { locationId: string; token: string } };
  const store = storeOf(ghl.locationId);
  const stages = store.pipelines[0]!.stages;
  const setting = { pipelineId: store.pipelines[0]!.id, openStageId: stages[1]!.id, soldStageId: stages[3]!.id, lostStageId: stages[4]!.id };
  const tenant = await createTenant(t.db, { name: `Push HVAC ${k}`, timezone: 'America/Chicago', ghl: { locationId: ghl.locationId, token: ghl.token, estimatePipeline: setting } });
  tenants.push({ id: tenant.id, locationId: ghl.locationId, setting });
  const id = tenant.id;
  // The mirror's copy of the location's contacts (what the GHL sync would have stored).
  for (const contact of store.contacts.values()) {
    await t.db.execute(sql`insert into ghl_contacts (tenant_id, id, modified_on, raw, phone, email) values (${id}, ${contact.id}, now(), '{}'::jsonb, ${contact.phone ?? null}, ${contact.email ?? null})`);
  }
  // Customer i: matched customers carry the sandbox's seeded phones (+1512 2 000 00i), the rest their own.
  const phone = sql`case when i < ${MATCHED} then '+1512' || lpad((2000000 + i)::text, 7, '0') else '+1737' || lpad((3000000 + ${k * 1_000} + i)::text, 7, '0') end`;
  const series = sql`generate_series(0, ${CUSTOMERS - 1}::int) i`;
  await t.db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) select ${id}, 1000 + i, true, now(), '{}'::jsonb, 'Cust' || i || ' Doe' from ${series}`);
  await t.db.execute(sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) select ${id}, 5000 + i, true, now(), '{}'::jsonb, 1000 + i, 'MobilePhone', ${phone}, ${phone} from ${series}`);
  await t.db.execute(
    sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, tax, total)
        select ${id}, ${estimateId(k, 0)}::bigint + i, true, now(), '{}'::jsonb, 1000 + (i % ${CUSTOMERS}), 'New AC ' || i, 'Open', 1000 + i, 0, 1000 + i
        from generate_series(0, ${PER_TENANT - 1}::int) i`,
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  sandbox = createSandbox({ logLevel: 'silent' });
  running = await sandbox.listen(0);
  const connection = createRedis(redis.url, 'worker');
  connections.push(connection);
  bus = new JobBus(jobCatalog, connection, 'fh');
  for (let k = 0; k < TENANTS; k++) await seedTenant(k);
  // Writes take a moment (so the kill can land mid-call); one create in eight is made by GHL whose answer never arrives.
  await fetch(`${running.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 7, rules: [{ vendor: 'ghl', method: 'POST', kind: 'latency', latencyMs: 30 }, { id: 'lost-answer', vendor: 'ghl', method: 'POST', endpoint: '/ghl/opportunities/', kind: 'respond-then-fail', probability: 0.125 }] }),
  });
  worker = await startSyncWorker();
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await bus?.close();
  await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
  await running?.close();
  await redis?.stop();
  await t?.drop();
}, 60_000);

describe('sync worker killed and GHL answers lost while 500 estimates are pushed', () => {
  it(`makes exactly ${ESTIMATES} opportunities, one per estimate; selling one moves it to won`, async () => {
    const started = Date.now();
    // What saving each tenant's estimate pipeline enqueues (through its outbox).
    for (const tenant of tenants) await bus.enqueue('ghl.push-estimates', { tenantId: tenant.id }, { jobId: `ghl-ests-${tenant.id}-test` });

    const push = bus.queue('ghl-push');
    await until(async () => (await linked()) >= ESTIMATES / 4 && (await push.getActiveCount()) > 0, 90_000, 'a quarter of the estimates pushed', 20);
    await worker!.kill9();
    const linkedAtKill = await linked();
    const heldAtKill = await push.getActiveCount();
    const sendingAtKill = await count(sql`select count(*)::int as n from vendor_writes where status = 'sending'`);
    await sleep(1_000);
    worker = await startSyncWorker();

    await until(async () => (await linked()) === ESTIMATES && (await push.getActiveCount()) + (await push.getWaitingCount()) + (await push.getPrioritizedCount()) === 0, 150_000, 'every estimate pushed', 100);
    const pushedMs = Date.now() - started;

    // GHL: one opportunity per estimate, in the pipeline, open, with its value; nothing else.
    const wrong: string[] = [];
    let opportunities = 0;
    for (const [k, tenant] of tenants.entries()) {
      const all = [...storeOf(tenant.locationId).opportunities.values()];
      opportunities += all.length;
      for (let i = 0; i < PER_TENANT; i++) {
        const mine = all.filter((o) => o.name === `New AC ${i} (ST #${estimateId(k, i)})`);
        if (mine.length !== 1 || mine[0]!.status !== 'open' || mine[0]!.monetaryValue !== 1000 + i || mine[0]!.pipelineStageId !== tenant.setting.openStageId) wrong.push(`${estimateId(k, i)}: ${JSON.stringify(mine)}`);
      }
    }
    const injected = ((await (await fetch(`${running.url}/_sandbox/faults`)).json()) as { injected: Array<{ ruleId: string }> }).injected.filter((f) => f.ruleId === 'lost-answer').length;
    const retried = await count(sql`select count(*)::int as n from vendor_writes where operation = 'create-opportunity' and attempts > 1`);
    console.info(
      `${ESTIMATES} estimates pushed in ${pushedMs} ms; kill -9 after ${linkedAtKill} linked with ${heldAtKill} jobs held and ${sendingAtKill} writes sending; ` +
        `${injected} create answers lost after GHL made them; ${retried} creates retried (searched first)`,
    );
    expect(wrong, 'estimates without exactly one right opportunity').toEqual([]);
    expect(opportunities).toBe(ESTIMATES);
    expect(linkedAtKill).toBeLessThan(ESTIMATES);
    expect(heldAtKill, 'push jobs the killed worker was running').toBeGreaterThan(0);
    expect(injected, 'creates whose answer was lost').toBeGreaterThan(0);
    expect(retried).toBeGreaterThanOrEqual(injected);
    // The ledger and the links agree with GHL: every create done once, every link naming a real opportunity.
    expect(await count(sql`select count(*)::int as n from vendor_writes where operation = 'create-opportunity' and status = 'done'`)).toBe(ESTIMATES);
    expect(await count(sql`select count(*)::int as n from vendor_writes where status <> 'done'`)).toBe(0);
    const links = (await t.db.execute<{ tenant_id: string; ghl_opportunity_id: string }>(sql`select tenant_id, ghl_opportunity_id from ghl_estimate_links`)).rows;
    const locationOf = new Map(tenants.map((x) => [x.id, x.locationId]));
    expect(links.filter((l) => !storeOf(locationOf.get(l.tenant_id)!).opportunities.has(l.ghl_opportunity_id))).toEqual([]);
    // Households: the matched customers' opportunities sit on the mirror's contacts, not new ones.
    const contacts = tenants.map((x) => storeOf(x.locationId).contacts.size);
    expect(contacts).toEqual(tenants.map(() => CUSTOMERS));

    // Sold in ServiceTitan: the sync's upsert sees the status change, its change events go through the outbox.
    const sold = tenants[0]!;
    const estimates = ST_MODULES.find((m) => m.name === 'estimates')!;
    const record = { id: estimateId(0, 7), customerId: 1007, name: 'New AC 7', status: { value: 1, name: 'Sold' }, subtotal: 1007, tax: 0, active: true, createdOn: '2025-01-01T00:00:00Z', modifiedOn: new Date().toISOString() };
    const outbox = await t.db.transaction(async (tx) => {
      const result = await upsertSyncedRows(tx, estimates.table, sold.id, [estimates.toRow(record)], estimates.tracked);
      return writeOutbox(tx, bus.catalog, changeEventJobs('servicetitan', estimates, sold.id, result.changes));
    });
    expect(outbox.map((r) => r.jobName).sort()).toEqual(['ghl.push-estimate', 'workflow.domain-event']);
    await flushOutbox(bus, outbox);
    const won = await until(async () => [...storeOf(sold.locationId).opportunities.values()].find((o) => o.name.endsWith(`(ST #${estimateId(0, 7)})`) && o.status === 'won'), 30_000, 'the sold estimate won', 100);
    expect(won.pipelineStageId).toBe(sold.setting.soldStageId);
    expect(storeOf(sold.locationId).opportunities.size).toBe(PER_TENANT);
  }, 240_000);
});
