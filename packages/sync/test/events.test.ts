import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findOutboxByJobIds, findSyncRuns, stCustomers } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { EVENT_CATALOG } from '@fieldhand/events';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { applyPage, startSync, syncSources, type SyncDeps, type SyncModule, type SyncSource } from '../src/index.js';

const logger = createLogger({ name: 'sync-events-test', level: 'silent' });
const customers: SyncModule = { name: 'customers', table: stCustomers, toRow: (record) => record, tracked: [] };

// The vendor's answer for the next page; a permanent error ends the pass at once.
let failure: Error & { permanent?: boolean } = new Error('vendor down');
const source: SyncSource = {
  name: 'flaky',
  modules: [customers],
  configured: () => true,
  tenantIds: async () => [],
  fetchPage: async () => {
    throw failure;
  },
};

let t: TestDatabase;
let redis: TestRedis;
let deps: SyncDeps;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  deps = { db: t.db, bus: new JobBus(jobCatalog, redis.connect('producer'), redis.prefix), sources: syncSources([source]), logger };
  tenantId = (await createTenant(t.db, { name: 'Sync Events HVAC', timezone: 'America/Chicago' })).id;
});
afterAll(async () => {
  await deps.bus.close();
  await redis.cleanup();
  await t.drop();
});

type Context = Parameters<typeof applyPage>[2];
// Only what isLastAttempt reads of the BullMQ job.
const contextOf = (attemptsMade: number, attempts: number): Context => ({ job: { attemptsMade, opts: { attempts } } as unknown as Context['job'], logger, signal: new AbortController().signal });
const failedEvent = (runId: string) => findOutboxByJobIds(t.db, [`ev-sync-${runId}-failed`]);

describe('sync.failed', () => {
  it('a page that fails with attempts left reports nothing; the attempt that ends the pass reports sync.failed once', async () => {
    const [pass] = await startSync(deps, { tenantId, source: 'flaky', modules: ['customers'], full: false });
    const page = { tenantId, source: 'flaky', module: 'customers', runId: pass!.runId, page: 0 };

    await expect(applyPage(deps, page, contextOf(0, 3))).rejects.toThrow('vendor down');
    expect(await failedEvent(pass!.runId)).toEqual([]);

    failure = new Error('still down after every retry');
    await expect(applyPage(deps, page, contextOf(2, 3))).rejects.toThrow('still down');
    expect((await findSyncRuns(t.db, tenantId)).find((r) => r.id === pass!.runId)?.status).toBe('failed');

    const job = await deps.bus.queue('events').getJob(`ev-sync-${pass!.runId}-failed`);
    expect(job).toBeDefined();
    expect(job!.data).toMatchObject({ tenantId, id: `evt_sync-${pass!.runId}-failed`, type: 'sync.failed', data: { source: 'flaky', module: 'customers', error: 'still down after every retry' } });
    expect(EVENT_CATALOG['sync.failed'].data.safeParse(job!.data.data).success).toBe(true);

    // The same final failure recorded again (a twin job): the pass is over, nothing new.
    await expect(applyPage(deps, page, contextOf(2, 3))).resolves.toMatchObject({ status: 'skipped' });
    expect(await failedEvent(pass!.runId)).toHaveLength(1);
  });

  it('a permanent error ends the pass on its first attempt and is reported', async () => {
    failure = Object.assign(new Error('401 invalid client'), { permanent: true });
    const [pass] = await startSync(deps, { tenantId, source: 'flaky', modules: ['customers'], full: false });
    await expect(applyPage(deps, { tenantId, source: 'flaky', module: 'customers', runId: pass!.runId, page: 0 }, contextOf(0, 5))).rejects.toThrow('401');
    expect(await failedEvent(pass!.runId)).toHaveLength(1);
  });
});
