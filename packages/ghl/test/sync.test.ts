import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncRuns, findSyncState, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { planSyncs, startSync } from '@fieldhand/sync';
import type { RunningSandbox, Sandbox } from '../../../apps/sandbox/src/index.js';
import { GHL_MODULES, type GhlLocation } from '../src/index.js';
import { byId, createGhlTenant, createLocation, normalise, startSandbox, startSyncWorker, tableRows, waitForIdle, type SyncHarness } from './harness.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let sandbox: Sandbox;
let running: RunningSandbox;
let worker: SyncHarness;
let location: GhlLocation;
let tenantId: string;

const CONTACTS = 120;
const OPPORTUNITIES = 45;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  ({ sandbox, running } = await startSandbox());
  location = await createLocation(running, { contacts: CONTACTS, opportunities: OPPORTUNITIES });
  tenantId = await createGhlTenant(db, location);
  // Small pages so contacts and opportunities take several each.
  worker = startSyncWorker(db, redis, running, { contactsPageLimit: 25, opportunitiesLimit: 10 });
});

afterAll(async () => {
  await worker?.close();
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
});

const store = () => sandbox.accounts.ghlLocation(location.locationId)!.store;

/** What the sandbox holds for a module, as plain JSON (what the API would answer, before views). */
function sandboxRecords(name: string): Record<string, unknown>[] {
  const s = store();
  const records = name === 'contacts' ? [...s.contacts.values()] : name === 'opportunities' ? [...s.opportunities.values()] : s.pipelines;
  return (JSON.parse(JSON.stringify(records)) as Record<string, unknown>[]).sort(byId);
}

async function workflowEvents(): Promise<Array<Record<string, unknown>>> {
  const jobs = await worker.bus.queue('workflow').getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((job) => job.data as Record<string, unknown>);
}

/** One pass of every module; returns the requests it sent. */
async function syncPass(full = false): Promise<string[]> {
  worker.requests.length = 0;
  await startSync(worker.deps, { tenantId, source: 'ghl', full });
  await waitForIdle(db, tenantId);
  return [...worker.requests];
}

const count = (requests: string[], request: string) => requests.filter((r) => r === request).length;

async function expectMirrored(): Promise<void> {
  for (const m of GHL_MODULES) {
    const expected = sandboxRecords(m.name);
    const rows = (await tableRows(db, m, tenantId)).filter((r) => r.active);
    expect(rows.map((r) => r.id), m.name).toEqual(expected.map((r) => r.id));
    rows.forEach((row, i) => {
      const record = expected[i]!;
      // Opportunities come from search with their contact embedded; the stored fields are all there.
      if (m.name === 'opportunities') expect(row.raw, `${m.name} ${String(record.id)}`).toMatchObject(record);
      else expect(row.raw, `${m.name} ${String(record.id)}`).toEqual(record);
      const want = m.toRow(row.raw as Record<string, unknown>);
      for (const [column, value] of Object.entries(want)) {
        if (column === 'raw') continue;
        expect(normalise(row[column]), `${m.name}.${column}`).toEqual(normalise(value));
      }
    });
  }
}

describe('GHL sync against the sandbox', { timeout: 90_000 }, () => {
  it('a first full sync mirrors contacts, opportunities and pipelines record for record, in pages, and emits no events', async () => {
    const requests = await syncPass();
    await expectMirrored();
    expect(count(requests, 'POST /contacts/search')).toBe(Math.ceil(CONTACTS / 25));
    expect(count(requests, 'GET /opportunities/search')).toBe(Math.ceil(OPPORTUNITIES / 10));
    expect(count(requests, 'GET /opportunities/pipelines')).toBe(1);
    expect(await workflowEvents()).toEqual([]);
    const runs = await findSyncRuns(db, tenantId);
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.status === 'succeeded' && r.full && !r.emitsEvents)).toBe(true);
    expect(runs.find((r) => r.module === 'contacts')).toMatchObject({ inserted: CONTACTS, pages: 5 });
  });

  it('stores phones in E.164, per-channel DND and tags, and GHL ids as text', async () => {
    const { rows } = await db.execute<{ id: string; phone: string; tags: string[]; dnd: boolean }>(sql`select id, phone, tags, dnd from ghl_contacts where tenant_id = ${tenantId}`);
    expect(rows).toHaveLength(CONTACTS);
    for (const row of rows) {
      expect(row.phone).toMatch(/^\+1\d{10}$/);
      expect(row.id).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(row.tags).toEqual([]);
      expect(row.dnd).toBe(false);
    }
  });

  it('an incremental pass with nothing new reads one contacts page and changes nothing', async () => {
    const requests = await syncPass();
    expect(count(requests, 'POST /contacts/search')).toBe(1);
    // GHL's opportunity search has no order by update: the list is read whole, unchanged rows pass by.
    expect(count(requests, 'GET /opportunities/search')).toBe(Math.ceil(OPPORTUNITIES / 10));
    const runs = (await findSyncRuns(db, tenantId)).slice(0, 3);
    expect(runs.every((r) => r.status === 'succeeded' && r.inserted === 0 && r.updated === 0)).toBe(true);
    expect(runs.find((r) => r.module === 'contacts')).toMatchObject({ pages: 1, unchanged: 0 });
    expect(await workflowEvents()).toEqual([]);
  });

  it('changes made in GHL arrive with the next pass, fetching only what changed, and emit the expected events', async () => {
    const ghl = worker.client(location);
    const contacts = sandboxRecords('contacts');
    const [renumbered, silenced] = [contacts[3]!, contacts[70]!];
    await ghl.updateContact(String(renumbered.id), { phone: '(512) 555-0199' });
    await ghl.updateContact(String(silenced.id), { dndSettings: { SMS: { status: 'active', message: 'STOP' } } });
    const created = await ghl.upsertContact({ firstName: 'Nora', lastName: 'Quinn', phone: '+15125550123', email: 'nora@example.com' });
    expect(created.new).toBe(true);
    const opportunities = sandboxRecords('opportunities').filter((o) => o.status === 'open');
    const stages = store().pipelines[0]!.stages;
    const [won, moved] = [opportunities[0]!, opportunities[1]!];
    await ghl.updateOpportunityStatus(String(won.id), 'won');
    const stage = stages.find((s) => s.id !== moved.pipelineStageId && s.position < 3)!;
    await ghl.updateOpportunity(String(moved.id), { pipelineStageId: stage.id });
    worker.requests.length = 0;

    const requests = await syncPass();
    // Three changed contacts fit in one page read from the cursor: nothing older is asked for.
    expect(count(requests, 'POST /contacts/search')).toBe(1);
    const contactRun = (await findSyncRuns(db, tenantId)).find((r) => r.module === 'contacts')!;
    expect(contactRun).toMatchObject({ pages: 1, inserted: 1, updated: 2, unchanged: 0 });

    const events = await workflowEvents();
    const summary = events.map((e) => `${String(e.type)} ${String((e.subject as { id: string }).id)}`).sort();
    expect(summary).toEqual(
      [
        `ghl.contact.updated ${String(renumbered.id)}`,
        `ghl.contact.updated ${String(silenced.id)}`,
        `ghl.contact.dnd_changed ${String(silenced.id)}`,
        `ghl.contact.created ${created.contact.id}`,
        `ghl.opportunity.status_changed ${String(won.id)}`,
        `ghl.opportunity.stage_changed ${String(moved.id)}`,
      ].sort(),
    );
    const find = (type: string, id: unknown) => events.find((e) => e.type === type && (e.subject as { id: string }).id === id)!;
    expect(find('ghl.contact.updated', renumbered.id)).toMatchObject({ source: 'ghl', tenantId, subject: { type: 'ghl-contact' }, new: { phone: '+15125550199' } });
    expect(find('ghl.contact.dnd_changed', silenced.id)).toMatchObject({ old: { smsDnd: null }, new: { smsDnd: 'active' } });
    expect(find('ghl.opportunity.status_changed', won.id)).toMatchObject({ subject: { type: 'ghl-opportunity' }, old: { status: 'open' }, new: { status: 'won' }, refs: { contactId: won.contactId } });
    expect(find('ghl.opportunity.stage_changed', moved.id)).toMatchObject({ old: { pipelineStageId: moved.pipelineStageId }, new: { pipelineStageId: stage.id } });
    await expectMirrored();

    // The cursor ends a little before now (GHL's index may lag writes): the next pass re-reads only those, unchanged.
    const again = await syncPass();
    expect(count(again, 'POST /contacts/search')).toBe(1);
    expect((await findSyncRuns(db, tenantId)).find((r) => r.module === 'contacts')).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await workflowEvents()).toHaveLength(events.length);
  });

  it('the planner starts a reconciling full pass once the last is old; it marks deleted records inactive', async () => {
    const doomed = sandboxRecords('contacts')[10]!;
    const lost = sandboxRecords('opportunities').filter((o) => o.contactId === doomed.id);
    const response = await fetch(`${running.env.GHL_API_URL}/contacts/${String(doomed.id)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${location.token}`, Version: '2021-07-28' } });
    expect(response.status).toBe(200);
    const quiet = sandboxRecords('contacts')[20]!;
    await worker.client(location).updateContact(String(quiet.id), { tags: ['vip'] });

    // Just synced: nothing is due.
    expect(await planSyncs(worker.deps, { SYNC_INTERVAL_SECONDS: 300, SYNC_STALLED_AFTER_SECONDS: 600 })).toMatchObject({ started: 0 });
    await db.execute(sql`update sync_state set last_full_success_at = now() - interval '25 hours' where tenant_id = ${tenantId}`);
    worker.requests.length = 0;
    expect(await planSyncs(worker.deps, { SYNC_INTERVAL_SECONDS: 300, SYNC_STALLED_AFTER_SECONDS: 600 })).toMatchObject({ started: 3 });
    await waitForIdle(db, tenantId);
    const runs = (await findSyncRuns(db, tenantId)).slice(0, 3);
    expect(runs.every((r) => r.status === 'succeeded' && r.full && r.emitsEvents)).toBe(true);
    expect(count(worker.requests, 'POST /contacts/search')).toBe(Math.ceil(CONTACTS / 25));

    const [row] = (await db.execute<{ active: boolean }>(sql`select active from ghl_contacts where tenant_id = ${tenantId} and id = ${String(doomed.id)}`)).rows;
    expect(row!.active).toBe(false);
    for (const opportunity of lost) {
      const [o] = (await db.execute<{ active: boolean }>(sql`select active from ghl_opportunities where tenant_id = ${tenantId} and id = ${String(opportunity.id)}`)).rows;
      expect(o!.active).toBe(false);
    }
    const { rows: inactive } = await db.execute<{ n: number }>(sql`select count(*)::int as n from ghl_contacts where tenant_id = ${tenantId} and not active`);
    expect(inactive[0]!.n).toBe(1);
    // The change a missed webhook would have carried arrives as an event.
    expect((await workflowEvents()).some((e) => e.type === 'ghl.contact.updated' && (e.subject as { id: string }).id === quiet.id)).toBe(true);
    await expectMirrored();
    expect(await db.execute(sql`select 1 from sync_seen_rows where tenant_id = ${tenantId}`)).toMatchObject({ rows: [] });
    const state = await findSyncState(db, { tenantId, source: 'ghl', module: 'contacts' });
    expect(state!.lastFullSuccessAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});
