// One inbox and one outbox: rows written through them, jobs enqueued through the catalog,
// and the worker — not each handler — marks a row done once its handler succeeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findStaleOutbox, findUnprocessedInbox } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { defineCatalog, enqueueInbox, flushOutbox, InvalidJobPayloadError, JobBus, recordInbox, runWorkers, tenantScoped, writeOutbox } from '../src/index.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';

const catalog = defineCatalog({ 'test.handled': { queue: 'maintenance', schema: tenantScoped.extend({ n: z.number().int(), fail: z.boolean().default(false) }) } });
const logger = createLogger({ name: 'job-rows-test', level: 'silent' });

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<typeof catalog>;
const seen: number[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(catalog, redis.connect('producer'), redis.prefix);
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function untilHandled(n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!seen.includes(n)) {
    if (Date.now() > deadline) throw new Error(`job ${n} was not handled`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // The row is marked right after the handler returns.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

function startWorker() {
  return runWorkers({
    role: 'test',
    queues: ['maintenance'],
    bus,
    db: t.db,
    connection: redis.connect('worker'),
    logger,
    handlers: {
      'test.handled': async ({ n, fail }) => {
        seen.push(n);
        if (fail) throw new Error('handler failed');
      },
    },
  });
}

describe('outbox', () => {
  it('checks payloads against the catalog before anything is written', async () => {
    await expect(writeOutbox(t.db, catalog, [{ name: 'test.handled', data: { tenantId: null, n: 1.5 }, jobId: 'bad', tenantId: null }])).rejects.toBeInstanceOf(InvalidJobPayloadError);
    expect(await findStaleOutbox(t.db, new Date(Date.now() + 60_000), 10)).toEqual([]);
  });

  it('deletes a row once its job was handled, and keeps one whose handler failed', async () => {
    const running = startWorker();
    try {
      const rows = await t.db.transaction((tx) =>
        writeOutbox(tx, catalog, [
          { name: 'test.handled', data: { tenantId: null, n: 1 }, jobId: 'ob-1', tenantId: null },
          { name: 'test.handled', data: { tenantId: null, n: 2, fail: true }, jobId: 'ob-2', tenantId: null },
        ]),
      );
      expect(rows.map((r) => r.payload)).toEqual([{ tenantId: null, n: 1, fail: false }, { tenantId: null, n: 2, fail: true }]);
      await flushOutbox(bus, rows);
      await untilHandled(1);
      await untilHandled(2);
      expect((await findStaleOutbox(t.db, new Date(Date.now() + 60_000), 10)).map((r) => r.jobId)).toEqual(['ob-2']);
    } finally {
      await running.close(1_000);
    }
  });
});

describe('inbox', () => {
  it('stores a delivery once, and the worker marks it processed after its handler', async () => {
    const running = startWorker();
    try {
      const delivery = { provider: 'test', externalId: 'delivery-1', tenantId: null, name: 'test.handled' as const, data: { tenantId: null, n: 3 }, correlationId: 'corr-1' };
      const row = await recordInbox(t.db, catalog, delivery);
      expect(row).toBeDefined();
      expect(await recordInbox(t.db, catalog, delivery)).toBeUndefined();
      expect(await findUnprocessedInbox(t.db, new Date(Date.now() + 60_000), 10)).toHaveLength(1);
      await enqueueInbox(bus, [row!]);
      await untilHandled(3);
      expect(await findUnprocessedInbox(t.db, new Date(Date.now() + 60_000), 10)).toEqual([]);
    } finally {
      await running.close(1_000);
    }
  });
});
