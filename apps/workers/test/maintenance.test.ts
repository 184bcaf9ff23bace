import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDeadLetter, insertInboxRow, recordDeadLetter } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { catalogSchedules, inboxJobId, jobCatalog, JobBus, reconcileInbox, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { purgeExpiredDeadLetters } from '../src/maintenance/purge-dead-letters.js';
import { restoreMissingSchedules, syncSchedules } from '../src/bootstrap/sync-schedules.js';

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
const logger = createLogger({ name: 'maintenance-test', level: 'silent' });
const schedules = catalogSchedules(jobCatalog);

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

describe('inbox reconciler', () => {
  it('re-enqueues stale unprocessed rows once, and leaves fresh ones alone', async () => {
    const stale = await insertInboxRow(t.db, {
      provider: 'test',
      externalId: 'stale-1',
      queue: 'maintenance',
      jobName: 'maintenance.probe',
      payload: { tenantId: null, probeId: 'from-inbox' },
      correlationId: 'corr-inbox',
      receivedAt: new Date(Date.now() - 120_000),
    });
    await insertInboxRow(t.db, { provider: 'test', externalId: 'fresh-1', queue: 'maintenance', jobName: 'maintenance.probe', payload: { tenantId: null, probeId: 'fresh' } });

    expect(await reconcileInbox({ db: t.db, bus, logger }, 60)).toEqual({ reenqueued: 1, stuck: 0 });
    const job = await bus.queue('maintenance').getJob(inboxJobId(stale!.id));
    expect(job?.data).toMatchObject({ probeId: 'from-inbox', correlationId: 'corr-inbox' });

    // A second pass while the job is still in Redis adds nothing new.
    await reconcileInbox({ db: t.db, bus, logger }, 60);
    expect(await bus.queue('maintenance').getJobCountByTypes('waiting')).toBe(1);
  });
});

describe('dead-letter housekeeping', () => {
  it('purges only dead letters past retention, from the table and the queue', async () => {
    const old = await recordDeadLetter(t.db, { queue: 'sync', jobName: 'x', jobId: 'old', data: {}, attempts: 1, error: 'e', failedAt: new Date(Date.now() - 40 * 86_400_000) });
    const recent = await recordDeadLetter(t.db, { queue: 'sync', jobName: 'x', jobId: 'new', data: {}, attempts: 1, error: 'e' });
    await bus.queue('dead-letter').add('sync/x', {}, { jobId: old!.id });
    expect(await purgeExpiredDeadLetters({ db: t.db, bus, logger }, 30)).toBe(1);
    expect(await findDeadLetter(t.db, old!.id)).toBeUndefined();
    expect(await findDeadLetter(t.db, recent!.id)).toBeDefined();
    expect(await bus.queue('dead-letter').getJob(old!.id)).toBeUndefined();
  });
});

describe('schedules', () => {
  it('upserts declared schedulers once and removes stale ones', async () => {
    await bus.queue('maintenance').upsertJobScheduler('retired.job', { every: 60_000 }, { name: 'maintenance.probe', data: {} });
    await syncSchedules(bus, schedules);
    await syncSchedules(bus, schedules);
    const ids = (await bus.queue('maintenance').getJobSchedulers()).map((s) => s.key).sort();
    expect(ids).toEqual(schedules.filter((s) => bus.catalog[s.job].queue === 'maintenance').map((s) => s.id).sort());
  });

  it('upserts again the schedulers a FLUSHALL wiped, and only those', async () => {
    await syncSchedules(bus, schedules);
    expect(await restoreMissingSchedules(bus, schedules)).toEqual([]);
    // What FLUSHALL does to this prefix's keys.
    const keys = await redis.connect().keys(`${redis.prefix}:*`);
    await redis.connect().del(...keys);
    expect(await restoreMissingSchedules(bus, schedules)).toEqual(schedules.map((s) => s.id));
    expect((await bus.queue('maintenance').getJobScheduler('maintenance.reconcile-workflows'))?.every).toBe(15_000);
    expect(await restoreMissingSchedules(bus, schedules)).toEqual([]);
  });
});
