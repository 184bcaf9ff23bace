import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeOutbox, findStaleOutbox, insertOutbox } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { flushOutbox, jobCatalog, JobBus, reconcileOutbox, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
const logger = createLogger({ name: 'outbox-test', level: 'silent' });

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

const row = (jobId: string, ageMs: number) => ({
  queue: 'maintenance',
  jobName: 'maintenance.probe',
  jobId,
  payload: { tenantId: null, probeId: jobId, durationMs: 0 },
  createdAt: new Date(Date.now() - ageMs),
});
const reconcile = () => reconcileOutbox({ db: t.db, bus, logger }, 30);
const staleIds = async () => (await findStaleOutbox(t.db, new Date(), 100)).map((r) => r.jobId).sort();

describe('outbox', () => {
  it('puts back a job a crashed writer never enqueued, and leaves fresh rows to their writer', async () => {
    await insertOutbox(t.db, [row('left-behind', 120_000), row('just-written', 0)]);
    expect(await reconcile()).toBe(1);
    expect((await bus.queue('maintenance').getJob('left-behind'))?.data).toMatchObject({ probeId: 'left-behind' });
    expect(await bus.queue('maintenance').getJob('just-written')).toBeUndefined();
    // The row stays until the consumer has handled the job; while the job exists, nothing is re-added.
    expect(await reconcile()).toBe(0);
    await completeOutbox(t.db, 'left-behind');
    await completeOutbox(t.db, 'just-written');
    expect(await staleIds()).toEqual([]);
  });

  it('puts back a job Redis lost before its consumer handled it', async () => {
    const [written] = await insertOutbox(t.db, [row('lost-in-redis', 60_000)]);
    await flushOutbox(bus, [written!]);
    await bus.queue('maintenance').remove('lost-in-redis'); // as a FLUSHALL would
    expect(await reconcile()).toBe(1);
    expect(await bus.queue('maintenance').getJob('lost-in-redis')).toBeDefined();
    await completeOutbox(t.db, 'lost-in-redis');
  });

  it('pages through more rows than one batch', async () => {
    await insertOutbox(t.db, Array.from({ length: 1_200 }, (_, i) => row(`bulk-${i}`, 90_000)));
    expect(await reconcile()).toBe(1_200);
    expect(await bus.queue('maintenance').getJob('bulk-1199')).toBeDefined();
  });
});
