import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSyncRuns, findSyncState, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { ST_ROUTES, type RunningSandbox, type Sandbox } from '../../../apps/sandbox/src/index.js';
import { startSync } from '@fieldhand/sync';
import {
  control,
  createAccount,
  createStTenant,
  sandboxRecords,
  ST_MODULES,
  startSandbox,
  startSyncWorker,
  stModule,
  tableRows,
  waitForIdle,
  type StAccountInfo,
  type SyncHarness,
} from './harness.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let sandbox: Sandbox;
let running: RunningSandbox;
let worker: SyncHarness;
let account: StAccountInfo;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  ({ sandbox, running } = await startSandbox());
  // Small pages so every module takes several pages.
  account = await createAccount(running, { seed: 7, size: 60, servicetitan: { exportPageSize: 25 } });
  tenantId = await createStTenant(db, account);
  worker = startSyncWorker(db, redis, running);
});

afterAll(async () => {
  await worker?.close();
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
});

async function workflowEvents(): Promise<Array<Record<string, unknown>>> {
  const jobs = await worker.bus.queue('workflow').getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((job) => job.data as Record<string, unknown>);
}

async function syncPass(full = false) {
  await startSync(worker.deps, { tenantId, source: 'servicetitan', full });
  await waitForIdle(db, tenantId);
}

describe('ServiceTitan sync against the sandbox', { timeout: 90_000 }, () => {
  it('a first full sync mirrors every module record for record and emits no events', async () => {
    await syncPass();
    for (const module of ST_MODULES) {
      const expected = sandboxRecords(sandbox, account.tenantId, module).sort((a, b) => Number(a.id) - Number(b.id));
      const rows = await tableRows(db, module, tenantId);
      expect(rows.length, module.name).toBe(expected.length);
      expect(rows.length, module.name).toBeGreaterThan(0);
      rows.forEach((row, i) => {
        const record = expected[i]!;
        expect(row.raw, `${module.name} ${String(record.id)}`).toEqual(record);
        // Typed columns hold what the mapping extracts from the record (compared as text).
        const want = module.toRow(record);
        for (const [column, value] of Object.entries(want)) {
          if (column === 'raw') continue;
          expect(normalise(row[column]), `${module.name}.${column}`).toEqual(normalise(value));
        }
      });
    }
    expect(await workflowEvents()).toEqual([]);
    const runs = await findSyncRuns(db, tenantId);
    expect(runs).toHaveLength(ST_MODULES.length);
    expect(runs.every((r) => r.status === 'succeeded' && r.full && !r.emitsEvents && r.pages > 0 && r.updated === 0)).toBe(true);
    const customers = runs.find((r) => r.module === 'customers')!;
    expect(customers).toMatchObject({ inserted: 60, pages: 3 });
  });

  it('normalises contact phones to E.164 and reads estimate status names', async () => {
    const { rows } = await db.execute<{ phone: string }>(sql`select phone from st_customer_contacts where tenant_id = ${tenantId} and phone is not null`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.phone).toMatch(/^\+1\d{10}$/);
    const { rows: statuses } = await db.execute<{ status: string }>(sql`select distinct status from st_estimates where tenant_id = ${tenantId}`);
    expect(statuses.map((s) => s.status).every((s) => ['Open', 'Sold', 'Dismissed'].includes(s))).toBe(true);
  });

  it('an incremental pass with nothing new costs one request per module and changes nothing', async () => {
    await syncPass();
    const runs = (await findSyncRuns(db, tenantId)).slice(0, ST_MODULES.length);
    expect(runs.every((r) => r.status === 'succeeded' && r.pages === 1 && r.inserted === 0 && r.updated === 0)).toBe(true);
    expect(await workflowEvents()).toEqual([]);
  });

  it('changes made in ServiceTitan arrive with the next pass and emit exactly the expected events', async () => {
    const st = account.tenantId;
    const estimates = sandboxRecords(sandbox, st, stModule('estimates'));
    const open = estimates.filter((e) => (e.status as { name: string }).name === 'Open');
    const appointments = sandboxRecords(sandbox, st, stModule('appointments')).filter((a) => a.status === 'Scheduled');
    const jobs = sandboxRecords(sandbox, st, stModule('jobs')).filter((j) => j.jobStatus !== 'Completed' && j.jobStatus !== 'Canceled');
    const phones = sandboxRecords(sandbox, st, stModule('customer-contacts')).filter((c) => c.type !== 'Email');
    const locationContacts = sandboxRecords(sandbox, st, stModule('location-contacts')).filter((c) => !(c.phoneSettings as { doNotText: boolean }).doNotText);
    expect(open.length >= 2 && appointments.length >= 2 && jobs.length >= 1 && phones.length >= 1 && locationContacts.length >= 1).toBe(true);
    const [sold, dismissed] = open;
    const [moved, canceled] = appointments.filter((a) => a.jobId !== jobs[0]!.id);

    await control(running, 'POST', `/servicetitan/${st}/estimates/${sold!.id}/sell`, { soldBy: 1001 });
    await control(running, 'POST', `/servicetitan/${st}/estimates/${dismissed!.id}/dismiss`);
    const created = await control(running, 'POST', `/servicetitan/${st}/estimates`, { jobId: jobs[0]!.id, items: [{ description: 'Coil cleaning', unitRate: 1250 }] });
    await control(running, 'POST', `/servicetitan/${st}/appointments/${moved!.id}/reschedule`, { start: '2031-03-04T15:00:00Z' });
    await control(running, 'POST', `/servicetitan/${st}/appointments/${canceled!.id}/cancel`);
    await control(running, 'POST', `/servicetitan/${st}/jobs/${jobs[0]!.id}/complete`);
    // The sandbox's job i has appointment i.
    const completedVisit = ST_ROUTES.appointments.idBase + (jobs[0]!.id as number) - ST_ROUTES.jobs.idBase;
    await control(running, 'POST', `/servicetitan/${st}/customer-contacts/${phones[0]!.id}`, { value: '+1 512 555 0199' });
    await control(running, 'POST', `/servicetitan/${st}/location-contacts/${locationContacts[0]!.id}`, { doNotText: true });

    const cursorsBefore = await cursors();
    await syncPass();
    const events = await workflowEvents();
    const summary = events.map((e) => `${String(e.type)} ${(e.subject as { id: number }).id}`).sort();
    expect(summary).toEqual(
      [
        `estimate.status_changed ${sold!.id}`,
        `estimate.status_changed ${dismissed!.id}`,
        `estimate.created ${created.id}`,
        `appointment.rescheduled ${moved!.id}`,
        `appointment.canceled ${canceled!.id}`,
        `job.completed ${jobs[0]!.id}`,
        // Completing the job marks its visit Done: the reminders of that visit end.
        `appointment.status_changed ${completedVisit}`,
        `contact.phone_changed ${phones[0]!.id}`,
        `contact.do_not_text_changed ${locationContacts[0]!.id}`,
      ].sort(),
    );
    const byType = (type: string) => events.find((e) => e.type === type)!;
    expect(byType('estimate.status_changed')).toMatchObject({ tenantId, source: 'servicetitan' });
    expect(events.find((e) => (e.subject as { id: number }).id === sold!.id)).toMatchObject({ old: { status: 'Open' }, new: { status: 'Sold' } });
    expect(byType('appointment.rescheduled')).toMatchObject({ old: { start: new Date(String(moved!.start)).toISOString() }, new: { start: '2031-03-04T15:00:00.000Z' } });
    expect(byType('contact.phone_changed')).toMatchObject({ new: { phone: '+15125550199' }, refs: { customerId: phones[0]!.customerId } });
    expect(byType('contact.do_not_text_changed')).toMatchObject({ old: { doNotText: false }, new: { doNotText: true } });
    expect(byType('estimate.created')).toMatchObject({ new: { status: 'Open', total: expect.any(String) }, refs: { jobId: jobs[0]!.id } });

    // The tables now match the sandbox again.
    for (const name of ['estimates', 'appointments', 'jobs', 'customer-contacts', 'location-contacts', 'appointment-assignments']) {
      const module = stModule(name);
      const rows = await tableRows(db, module, tenantId);
      expect(rows.map((r) => r.raw), name).toEqual(sandboxRecords(sandbox, st, module).sort((a, b) => Number(a.id) - Number(b.id)));
    }

    // Re-applying the same pages (cursor moved back) changes nothing and emits nothing.
    for (const [module, cursor] of cursorsBefore) {
      await db.execute(sql`update sync_state set cursor = ${cursor} where tenant_id = ${tenantId} and module = ${module}`);
    }
    await syncPass();
    const replay = (await findSyncRuns(db, tenantId)).slice(0, ST_MODULES.length);
    expect(replay.every((r) => r.inserted === 0 && r.updated === 0)).toBe(true);
    expect(replay.reduce((n, r) => n + r.unchanged, 0)).toBeGreaterThan(0);
    expect(await workflowEvents()).toHaveLength(events.length);
  });

  it('does not advance the cursor when a page fails, and resumes from it', async () => {
    const st = account.tenantId;
    const job = sandboxRecords(sandbox, st, stModule('jobs')).find((j) => j.jobStatus !== 'Completed' && j.jobStatus !== 'Canceled')!;
    await control(running, 'POST', `/servicetitan/${st}/jobs/${job.id}/complete`);
    const key = { tenantId, source: 'servicetitan', module: 'jobs' };
    const before = await findSyncState(db, key);
    await control(running, 'PUT', '/faults', { seed: 3, rules: [{ vendor: 'servicetitan', endpoint: '/servicetitan/api/jpm/v2/tenant/*/export/jobs', kind: 'http-error', status: 500 }] });
    try {
      await startSync(worker.deps, { tenantId, source: 'servicetitan', modules: ['jobs'], full: false });
      await until(async () => (await findSyncState(db, key))?.lastError != null);
      const failing = await findSyncState(db, key);
      expect(failing).toMatchObject({ cursor: before!.cursor, runPage: 0 });
      expect(failing!.lastError).toMatch(/500/);
      const [row] = (await db.execute<{ job_status: string }>(sql`select job_status from st_jobs where tenant_id = ${tenantId} and id = ${job.id}`)).rows;
      expect(row!.job_status).not.toBe('Completed');
    } finally {
      await control(running, 'DELETE', '/faults');
    }
    // The job's own retry (BullMQ backoff) picks the pass up from the same cursor.
    await waitForIdle(db, tenantId, 30_000);
    const after = await findSyncState(db, key);
    expect(after!.cursor).not.toBe(before!.cursor);
    expect(after!.lastError).toBeNull();
    const [row] = (await db.execute<{ job_status: string }>(sql`select job_status from st_jobs where tenant_id = ${tenantId} and id = ${job.id}`)).rows;
    expect(row!.job_status).toBe('Completed');
  });
});

async function cursors(): Promise<Map<string, string | null>> {
  const { rows } = await db.execute<{ module: string; cursor: string | null }>(sql`select module, cursor from sync_state where tenant_id = ${tenantId}`);
  return new Map(rows.map((r) => [r.module, r.cursor]));
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:/.test(value)) return new Date(value).toISOString();
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) return Number(value);
  return value;
}
