import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncRuns, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { startSync } from '@fieldhand/sync';
import type { RunningSandbox, Sandbox } from '../../../apps/sandbox/src/index.js';
import { createGhlTenant, createLocation, startSandbox, startSyncWorker, waitForIdle, type SyncHarness } from './harness.js';

// Past GHL's 10,000-record window for page-based paging: only searchAfter gets there.
const CONTACTS = 10_250;

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let sandbox: Sandbox;
let running: RunningSandbox;
let worker: SyncHarness;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  ({ sandbox, running } = await startSandbox());
  worker = startSyncWorker(db, redis, running, { contactsPageLimit: 500 });
});

afterAll(async () => {
  await worker?.close();
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
});

describe('GHL sync at scale', { timeout: 120_000 }, () => {
  it('mirrors more than 10,000 contacts with searchAfter, 500 a page', async () => {
    const location = await createLocation(running, { contacts: CONTACTS }, 9);
    const tenantId = await createGhlTenant(db, location);
    await startSync(worker.deps, { tenantId, source: 'ghl', modules: ['contacts'], full: false });
    await waitForIdle(db, tenantId, 110_000);

    const { rows } = await db.execute<{ n: number; ids: number }>(sql`select count(*)::int as n, count(distinct id)::int as ids from ghl_contacts where tenant_id = ${tenantId}`);
    expect(rows[0]).toEqual({ n: CONTACTS, ids: CONTACTS });
    const expected = new Set(sandbox.accounts.ghlLocation(location.locationId)!.store.contacts.keys());
    const { rows: ids } = await db.execute<{ id: string }>(sql`select id from ghl_contacts where tenant_id = ${tenantId}`);
    expect(ids.every((r) => expected.has(r.id))).toBe(true);
    const [run] = await findSyncRuns(db, tenantId);
    expect(run).toMatchObject({ status: 'succeeded', inserted: CONTACTS, pages: Math.ceil(CONTACTS / 500) });
    expect(worker.requests.filter((r) => r === 'POST /contacts/search')).toHaveLength(Math.ceil(CONTACTS / 500));
  });
});
