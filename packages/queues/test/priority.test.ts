import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog, JobBus, NEW_WORK_PRIORITY, tenantScoped } from '../src/index.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';

const catalog = defineCatalog({
  'test.new-work': { queue: 'workflow', schema: tenantScoped.extend({ n: z.number() }), priority: NEW_WORK_PRIORITY },
  'test.due-work': { queue: 'workflow', schema: tenantScoped.extend({ n: z.number() }) },
});

let redis: TestRedis;
let bus: JobBus<typeof catalog>;
beforeAll(() => {
  redis = createTestRedis();
  bus = new JobBus(catalog, redis.connect('producer'), redis.prefix);
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
});

describe('job priorities from the catalog', () => {
  it('runs due work before a backlog of new work enqueued earlier', async () => {
    for (let n = 0; n < 20; n++) await bus.enqueue('test.new-work', { tenantId: null, n });
    await bus.enqueue('test.due-work', { tenantId: null, n: 99 });
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      const worker = new Worker(
        'workflow',
        async (job) => {
          order.push(job.name);
          if (order.length === 21) void worker.close().then(resolve);
        },
        { connection: redis.connect('worker'), prefix: redis.prefix, concurrency: 1 },
      );
    });
    expect(order[0]).toBe('test.due-work');
    // An explicit priority given by the caller wins over the catalog's.
    const id = await bus.enqueue('test.due-work', { tenantId: null, n: 1 }, { priority: 3 });
    expect((await bus.queue('workflow').getJob(id))?.opts.priority).toBe(3);
  });
});
