// A full GHL sync and an incremental pass under injected faults (429 bursts GHL answers
// although our budget had room, 5xx, hung requests, truncated and malformed bodies) end
// with the same tables as a fault-free run of the same location, and the faulty sandbox
// never sees more than GHL's 100 requests in any 10 s window: the retries live inside the
// shared budget, not beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncRuns, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, runWorkers, UnrecoverableError, type FieldhandCatalog, type HandlerMap, type RunningWorkers } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { applyPage, planSyncs, startSync, syncSources, type SyncDeps } from '@fieldhand/sync';
import { maxInAnyWindow } from '../../../apps/sandbox/src/ghl/ghl-auth.js';
import type { RunningSandbox, Sandbox } from '../../../apps/sandbox/src/index.js';
import { createGhlClientFactory, GHL_LIMITS, GHL_MODULES, ghlSource, type GhlLocation } from '../src/index.js';
import { createGhlTenant, logger, startSandbox, tableRows, waitForIdle } from './harness.js';

const CONTACTS = 1_000;
const OPPORTUNITIES = 100;
// Ten a page: the full pass is ~111 requests, more than one window's budget (95 of 100).
const PAGES = { contactsPageLimit: 10, opportunitiesLimit: 10 };
// The same location (id, token, seeded records) on both sandboxes; each sync has its own database.
const LOCATION: GhlLocation = { locationId: 'sbxFaultsLocation001', token: 'pit-sync-faults-token' };

const FAULTS = {
  seed: 7,
  rules: [
    // 429s GHL sends although our count had room (another app on the location, GHL's own view).
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'http-error', status: 429, probability: 0.12, retryAfterSeconds: 1 },
    // Without Retry-After (and, from a fault, without the rate-limit headers): the client holds a whole interval.
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'http-error', status: 429, probability: 0.01 },
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'http-error', status: 500, probability: 0.05 },
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'http-error', status: 503, probability: 0.03, retryAfterSeconds: 1 },
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'hang', probability: 0.02 },
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'truncate', probability: 0.05 },
    { vendor: 'ghl', endpoint: '/ghl/**', kind: 'malformed', probability: 0.03 },
  ],
} as const;

type Side = { t: TestDatabase; redis: TestRedis; sandbox: Sandbox; running: RunningSandbox; deps: SyncDeps; workers: RunningWorkers; bus: JobBus<FieldhandCatalog>; tenantId: string };
let clean: Side;
let faulty: Side;

/** A sync worker as the sync role runs it (the factory's budget in Redis, the real limits), on one sandbox and database. */
async function side(faults?: typeof FAULTS): Promise<Side> {
  const t = await createTestDatabase();
  const redis = createTestRedis();
  const { sandbox, running } = await startSandbox();
  if (faults) sandbox.faults.configure(faults as never);
  const created = await fetch(`${running.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 5, size: 1, ghl: { ...LOCATION, contacts: CONTACTS, opportunities: OPPORTUNITIES } }),
  });
  if (created.status !== 201) throw new Error(`sandbox account: ${created.status} ${await created.text()}`);
  const db: Database = t.db;
  const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  // Production's factory and budget; short client backoff and timeout so a hung request costs 2 s.
  const clients = createGhlClientFactory({ db, apiUrl: running.env.GHL_API_URL!, redis: redis.connect('worker'), keyPrefix: redis.prefix, timeoutMs: 2_000, retry: { baseDelayMs: 50, maxDelayMs: 500 } });
  const deps: SyncDeps = { db, bus, logger, sources: syncSources([ghlSource(clients, PAGES)]) };
  const others = Object.fromEntries(
    Object.entries(jobCatalog)
      .filter(([name, def]) => def.queue === 'sync' && !name.startsWith('sync.'))
      .map(([name]) => [name, () => Promise.reject(new UnrecoverableError(`${name} is not run by the GHL fault tests`))]),
  ) as HandlerMap<FieldhandCatalog>;
  const workers = runWorkers<FieldhandCatalog>({
    role: 'ghl-sync-faults-test',
    queues: ['sync'],
    handlers: {
      ...others,
      'sync.plan': () => planSyncs(deps, { SYNC_INTERVAL_SECONDS: 300, SYNC_STALLED_AFTER_SECONDS: 600 }),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
    },
    bus,
    db,
    connection: redis.connect('worker'),
    logger,
  });
  return { t, redis, sandbox, running, deps, workers, bus, tenantId: await createGhlTenant(db, LOCATION) };
}

async function close(s: Side | undefined): Promise<void> {
  if (!s) return;
  await s.workers.close(5_000);
  await s.bus.close();
  await s.running.close();
  await s.redis.cleanup();
  await s.t.drop();
}

beforeAll(async () => {
  [clean, faulty] = await Promise.all([side(), side(FAULTS)]);
}, 60_000);

afterAll(async () => {
  await close(clean);
  await close(faulty);
});

async function pass(s: Side, full: boolean): Promise<void> {
  await startSync(s.deps, { tenantId: s.tenantId, source: 'ghl', full });
  await waitForIdle(s.t.db, s.tenantId, 150_000);
}

/** The same changes on both sandboxes, at the same instants, so both stores stay equal record for record. */
function changeInGhl(s: Side): void {
  const store = s.sandbox.accounts.ghlLocation(LOCATION.locationId)!.store;
  const at = (k: number) => new Date(Date.parse('2025-06-01T12:00:00Z') + k * 1_000).toISOString();
  const contacts = [...store.contacts.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  store.update(contacts[3]!, { phone: '+15125550199' }, at(1));
  store.update(contacts[500]!, { dndSettings: { SMS: { status: 'active', message: 'STOP' } } }, at(2));
  store.insert({ firstName: 'Nora', lastName: 'Quinn', phone: '+15125550123', email: 'nora@example.com' }, at(3));
  const won = [...store.opportunities.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).find((o) => o.status === 'open')!;
  store.setOpportunityStatus(won, 'won');
  Object.assign(won, { updatedAt: at(4), lastStatusChangeAt: at(4) });
}

type Requests = { count: number; rejected: number; maxInAnyWindow: number; arrivals: number[] };
const requestsAt = async (s: Side): Promise<Requests> => (await (await fetch(`${s.running.url}/_sandbox/ghl/locations/${LOCATION.locationId}/requests?arrivals=true`)).json()) as Requests;

/** Ten seconds' most requests over everything the sandbox answered for the location, faults included. */
const busiestWindow = (arrivals: number[]) => maxInAnyWindow([...arrivals].sort((a, b) => a - b), GHL_LIMITS.intervalMs);
const contactsModule = GHL_MODULES.find((m) => m.name === 'contacts')!;

async function expectSameTables(): Promise<void> {
  for (const module of GHL_MODULES) {
    const expected = await tableRows(clean.t.db, module, clean.tenantId);
    expect(expected.length, module.name).toBeGreaterThan(0);
    // Every column: the typed ones and raw (synced_at and tenant_id left out by tableRows).
    expect(await tableRows(faulty.t.db, module, faulty.tenantId), module.name).toEqual(expected);
  }
}

describe('GHL sync under vendor faults', { timeout: 240_000 }, () => {
  it('a full pass and an incremental pass end with the tables of a fault-free run, inside GHL’s 100 requests per 10 s', async () => {
    const started = Date.now();
    await Promise.all([pass(clean, true), pass(faulty, true)]);
    const fullMs = Date.now() - started;
    await expectSameTables();
    expect((await tableRows(faulty.t.db, contactsModule, faulty.tenantId)).length).toBe(CONTACTS);

    changeInGhl(clean);
    changeInGhl(faulty);
    await Promise.all([pass(clean, false), pass(faulty, false)]);
    await expectSameTables();
    expect((await tableRows(faulty.t.db, contactsModule, faulty.tenantId)).length).toBe(CONTACTS + 1);
    const runs = await findSyncRuns(faulty.t.db, faulty.tenantId);
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    expect(runs.find((r) => r.module === 'contacts' && !r.full)).toMatchObject({ inserted: 1, updated: 2 });

    // Requests answered by an injected http-error or hang never reach the limiter's record: add them from the fault log.
    const { injected } = faulty.sandbox.faults.describe();
    expect(injected.length, 'the fault log keeps 500 entries').toBeLessThan(500);
    const ruleIds = new Set(injected.map((f) => f.ruleId));
    for (const id of ['rule-1', 'rule-3', 'rule-4', 'rule-5', 'rule-6', 'rule-7']) expect(ruleIds, `fault ${id} fired`).toContain(id);
    const answeredByFaults = injected.filter((f) => f.kind === 'http-error' || f.kind === 'hang').map((f) => Date.parse(f.at));
    const atLimiter = await requestsAt(faulty);
    const all = [...atLimiter.arrivals, ...answeredByFaults];
    const cleanRequests = await requestsAt(clean);
    const windowFaulty = busiestWindow(all);
    console.info(
      `GHL sync faults: full passes ${fullMs} ms; fault-free ${cleanRequests.count} requests (busiest 10 s: ${cleanRequests.maxInAnyWindow}); ` +
        `faulty ${all.length} requests, ${answeredByFaults.length} answered by faults (${injected.length} injected), busiest 10 s: ${windowFaulty}; ` +
        `sandbox-limit 429s ${atLimiter.rejected} + ${cleanRequests.rejected}; ${Date.now() - started} ms`,
    );
    // Both runs crossed a window: the budget, not the size, kept them under 100.
    expect(cleanRequests.count).toBeGreaterThan(GHL_LIMITS.max);
    expect(all.length).toBeGreaterThan(GHL_LIMITS.max);
    expect(cleanRequests.maxInAnyWindow).toBeLessThanOrEqual(GHL_LIMITS.max);
    expect(windowFaulty).toBeLessThanOrEqual(GHL_LIMITS.max);
    expect(atLimiter.rejected + cleanRequests.rejected, 'requests the sandbox’s own limiter refused').toBe(0);
  });
});
