// kill -9 of the sync worker (the real `sync` role, its own process) in the middle of a
// multi-page GHL full pass, then a restart as PM2 would: the page the dead worker held
// comes back when its lock expires, the pass finishes, the tables hold exactly the
// sandbox's records, and the location's requests stayed inside its limit the whole time
// (the new process reads the same Redis budget the dead one wrote).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findSyncRuns } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { GHL_MODULES } from '@fieldhand/ghl';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox, type Sandbox } from '../../sandbox/src/index.js';
import { roleEnv, startRoleProcess, type RoleProcess } from './support/role-process.js';
import { sleep, until } from './support/until.js';

// The role reads contacts 500 a page (GHL's most, not configurable) and opportunities 100:
// 21 contact pages, 10 opportunity pages, 1 pipelines request.
const CONTACTS = 10_100;
const OPPORTUNITIES = 950;
const PAGE = 500;
const CONTACT_PAGES = Math.ceil(CONTACTS / PAGE);
// A location allowed 20 requests per 10 s (GHL: 100), so the budget (20 − margin 5) paces
// the pass over more than one window and the kill lands between windows' worth of pages.
const LIMIT = { max: 20, intervalMs: 10_000, dailyMax: 200_000 };
const LOCATION = { locationId: 'sbxKillLocation00001', token: 'pit-sync-kill-token' };

let t: TestDatabase;
let redis: TestRedis;
let sandbox: Sandbox;
let running: RunningSandbox;
let bus: JobBus<FieldhandCatalog>;
let worker: RoleProcess | undefined;
let tenantId: string;

/** Column values comparable with what toRow gives: timestamps as instants, numerics as numbers. */
function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:/.test(value)) return Date.parse(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

// A timeout's message carries the worker's output.
const withOutput = (what: string) => () => `${what}${worker ? `\n${worker.output()}` : ''}`;

const startSyncWorker = () => startRoleProcess('sync', roleEnv({ databaseUrl: t.url, redisUrl: redis.url, queuePrefix: redis.prefix }, { GHL_API_URL: running.env.GHL_API_URL! }));

/** Pages applied so far by the contacts pass, and whether the tenant's passes are still running. */
async function progress(): Promise<{ contactPages: number; running: number; states: number }> {
  const { rows } = await t.db.execute<{ contact_pages: number; running: number; states: number }>(
    sql`select coalesce((select pages from sync_runs where tenant_id = ${tenantId} and module = 'contacts' order by started_at desc limit 1), 0)::int as contact_pages,
               count(*) filter (where run_id is not null)::int as running, count(*)::int as states
        from sync_state where tenant_id = ${tenantId}`,
  );
  return { contactPages: rows[0]!.contact_pages, running: rows[0]!.running, states: rows[0]!.states };
}

type Requests = { count: number; rejected: number; maxInAnyWindow: number };
const requestsAtSandbox = async (): Promise<Requests> => (await (await fetch(`${running.url}/_sandbox/ghl/locations/${LOCATION.locationId}/requests`)).json()) as Requests;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  sandbox = createSandbox({ logLevel: 'silent', ghlRateLimit: LIMIT });
  running = await sandbox.listen(0);
  sandbox.accounts.create({ seed: 21, size: 1, ghl: { ...LOCATION, contacts: CONTACTS, opportunities: OPPORTUNITIES } });
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  tenantId = (await createTenant(t.db, { name: 'Kill HVAC', timezone: 'America/Chicago', ghl: LOCATION })).id;
  worker = await startSyncWorker();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await bus?.close();
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
}, 30_000);

describe('sync worker killed mid-way through a GHL full pass', () => {
  it(`mirrors all ${CONTACTS} contacts and ${OPPORTUNITIES} opportunities after a restart, inside the location's limit`, async () => {
    const started = Date.now();
    await bus.enqueue('sync.start', { tenantId, source: 'ghl', full: true });

    // kill -9 with contact pages applied and more to come; the pass is still running.
    const atKill = await until(async () => {
      const p = await progress();
      return p.contactPages >= 4 && p.contactPages < CONTACT_PAGES - 4 ? p : undefined;
    }, 60_000, withOutput('a few contact pages applied'));
    await worker!.kill9();
    const killedAt = Date.now() - started;
    const afterKill = await progress();
    // Page jobs the dead worker held: locked until their locks expire, then run by the new worker.
    const lockedAtKill = await bus.queue('sync').getActiveCount();
    expect(lockedAtKill, 'page jobs the killed worker was running').toBeGreaterThan(0);
    expect(afterKill.running, 'passes still running when the worker died').toBeGreaterThan(0);
    expect(afterKill.contactPages).toBeLessThan(CONTACT_PAGES);
    // Down a moment, then back.
    await sleep(1_000);
    worker = await startSyncWorker();

    await until(async () => {
      const p = await progress();
      return p.states === GHL_MODULES.length && p.running === 0;
    }, 90_000, withOutput('the pass to finish'), 200);
    const runMs = Date.now() - started;

    // Every module: the table holds the sandbox's records, record for record.
    const store = sandbox.accounts.ghlLocation(LOCATION.locationId)!.store;
    const expected: Record<string, Array<{ id: string }>> = { contacts: [...store.contacts.values()], opportunities: [...store.opportunities.values()], pipelines: store.pipelines };
    for (const module of GHL_MODULES) {
      const table = module.name === 'contacts' ? 'ghl_contacts' : module.name === 'opportunities' ? 'ghl_opportunities' : 'ghl_pipelines';
      const { rows } = await t.db.execute<{ id: string; active: boolean; raw: Record<string, unknown> }>(sql`select id, active, raw from ${sql.identifier(table)} where tenant_id = ${tenantId} order by id collate "C"`);
      const records = (JSON.parse(JSON.stringify(expected[module.name]!)) as Array<Record<string, unknown>>).sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
      expect(rows.map((r) => r.id), module.name).toEqual(records.map((r) => r.id));
      expect(rows.filter((r) => !r.active), `${module.name} inactive`).toEqual([]);
      // Opportunities come from search with their contact embedded: every stored field is there.
      rows.forEach((row, i) => (module.name === 'opportunities' ? expect(row.raw).toMatchObject(records[i]!) : expect(row.raw).toEqual(records[i])));
      // Typed columns agree with raw.
      const { rows: stored } = await t.db.execute<Record<string, unknown>>(sql`select * from ${sql.identifier(table)} where tenant_id = ${tenantId} order by id collate "C"`);
      stored.forEach((row) => {
        for (const [column, value] of Object.entries(module.toRow(row.raw as Record<string, unknown>))) {
          if (column === 'raw') continue;
          expect(normalise(row[column]), `${module.name}.${column}`).toEqual(normalise(value));
        }
      });
    }

    // One pass per module, each page applied once although one was delivered twice.
    const runs = await findSyncRuns(t.db, tenantId);
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(runs).toHaveLength(GHL_MODULES.length);
    expect(runs.find((r) => r.module === 'contacts')).toMatchObject({ pages: CONTACT_PAGES, inserted: CONTACTS, updated: 0 });
    expect(runs.find((r) => r.module === 'opportunities')).toMatchObject({ pages: Math.ceil(OPPORTUNITIES / 100), inserted: OPPORTUNITIES });

    const requests = await requestsAtSandbox();
    console.info(
      `GHL sync kill: kill -9 at ${killedAt} ms with ${atKill.contactPages} of ${CONTACT_PAGES} contact pages applied and ${lockedAtKill} page jobs held by the dead worker; pass done at ${runMs} ms; ` +
        `sandbox got ${requests.count} requests, busiest ${LIMIT.intervalMs / 1000} s window ${requests.maxInAnyWindow} (limit ${LIMIT.max}), ${requests.rejected} refused`,
    );
    // More requests than one window allows, yet no window over the limit and nothing refused.
    expect(requests.count).toBeGreaterThan(LIMIT.max);
    expect(requests.maxInAnyWindow).toBeLessThanOrEqual(LIMIT.max);
    expect(requests.rejected).toBe(0);
  }, 150_000);
});
