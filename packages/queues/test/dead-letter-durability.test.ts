// Failed jobs are bounded in Redis, a dead letter survives PostgreSQL being down at the
// moment of failure, and reconcilers treat a job that failed for good as missing.
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closeDatabase, createDatabase, listDeadLetters } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { defineCatalog, JobBus, jobStillOwnsWork, KEEP_FAILED, recordFailedJobs, runWorkers, tenantScoped } from '../src/index.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';

const catalog = defineCatalog({ 'test.fails': { queue: 'maintenance', schema: tenantScoped.extend({ n: z.number() }) } });
const logger = createLogger({ name: 'durability-test', level: 'silent' });

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<typeof catalog>;
let events: QueueEvents;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(catalog, redis.connect('producer'), redis.prefix);
  events = new QueueEvents('maintenance', { connection: redis.connect('worker'), prefix: redis.prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events.close();
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function failOnce(n: number, db: ReturnType<typeof createDatabase>): Promise<string> {
  const running = runWorkers({
    role: 'test',
    queues: ['maintenance'],
    bus,
    db,
    connection: redis.connect('worker'),
    logger,
    handlers: { 'test.fails': async () => Promise.reject(new Error(`refused ${n}`)) },
  });
  try {
    const jobId = await bus.enqueue('test.fails', { tenantId: null, n }, { attempts: 1 });
    const job = (await bus.queue('maintenance').getJob(jobId))!;
    await job.waitUntilFinished(events, 20_000).catch(() => undefined);
    return jobId;
  } finally {
    await running.close(2_000);
  }
}

describe('dead letters and failed jobs', () => {
  it('failed jobs are kept for a week, at most 5,000 per queue, not forever', async () => {
    const jobId = await bus.enqueue('test.fails', { tenantId: null, n: 0 });
    expect((await bus.queue('maintenance').getJob(jobId))!.opts.removeOnFail).toEqual(KEEP_FAILED);
    await (await bus.queue('maintenance').getJob(jobId))!.remove();
  });

  it('a job failing while PostgreSQL is down keeps its failure in Redis and gets its dead letter later', async () => {
    const unreachable = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none' });
    try {
      const jobId = await failOnce(1, unreachable);
      expect(await (await bus.queue('maintenance').getJob(jobId))!.isFailed()).toBe(true);
      expect((await listDeadLetters(t.db, { limit: 10 })).data).toHaveLength(0);
      // The maintenance role's pass, with PostgreSQL back.
      expect(await recordFailedJobs(t.db, bus)).toBe(1);
      const letters = (await listDeadLetters(t.db, { limit: 10 })).data;
      expect(letters).toMatchObject([{ queue: 'maintenance', jobName: 'test.fails', jobId, error: 'refused 1', attempts: 1 }]);
      expect(await recordFailedJobs(t.db, bus)).toBe(0);
    } finally {
      await closeDatabase(unreachable);
    }
  }, 60_000);

  it('a job that failed for good over ten minutes ago no longer owns its row: reconcilers enqueue the row again', async () => {
    const jobId = await failOnce(2, t.db);
    const queue = bus.queue('maintenance');
    const finishedOn = (await queue.getJob(jobId))!.finishedOn!;
    expect(await jobStillOwnsWork(queue, jobId, finishedOn + 60_000)).toBe(true);
    expect(await jobStillOwnsWork(queue, jobId, finishedOn + 11 * 60_000)).toBe(false);
    expect(await queue.getJob(jobId)).toBeUndefined();
    expect(await jobStillOwnsWork(queue, 'never-existed')).toBe(false);
  }, 60_000);
});
