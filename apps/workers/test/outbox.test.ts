import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStaleOutbox, insertOutbox } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { reconcileOutbox } from '../src/maintenance/reconcile-inbox.js';

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

describe('outbox reconciler', () => {
  it('enqueues rows a crashed writer committed but never enqueued, once, and leaves fresh rows to their writer', async () => {
    const row = (jobId: string, ageMs: number) => ({
      queue: 'maintenance',
      jobName: 'maintenance.probe',
      jobId,
      payload: { tenantId: null, probeId: jobId, durationMs: 0 },
      createdAt: new Date(Date.now() - ageMs),
    });
    await insertOutbox(t.db, [row('left-behind', 120_000), row('just-written', 0)]);

    expect(await reconcileOutbox({ db: t.db, bus, logger }, 30)).toBe(1);
    expect((await bus.queue('maintenance').getJob('left-behind'))?.data).toMatchObject({ probeId: 'left-behind' });
    expect(await bus.queue('maintenance').getJob('just-written')).toBeUndefined();
    expect((await findStaleOutbox(t.db, new Date(), 10)).map((r) => r.jobId)).toEqual(['just-written']);
    // Nothing left to do on a second pass.
    expect(await reconcileOutbox({ db: t.db, bus, logger }, 30)).toBe(0);
  });
});
