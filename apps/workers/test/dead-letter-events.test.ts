import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTenant, findOutboxByJobIds, listDeadLetters } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { EVENT_CATALOG } from '@fieldhand/events';
import { createLogger } from '@fieldhand/observability';
import { deadLetterJob, defineCatalog, JobBus, runWorkers, tenantScoped, type RunningWorkers } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';

const catalog = defineCatalog({
  'test.always-fails': { queue: 'maintenance', schema: tenantScoped.extend({ tenantId: z.uuid().nullable(), reason: z.string() }) },
});
const logger = createLogger({ name: 'dead-letter-events-test', level: 'silent' });

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<typeof catalog>;
let running: RunningWorkers;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(catalog, redis.connect('producer'), redis.prefix);
  tenantId = (await createTenant(t.db, { name: 'Dead Letter HVAC', timezone: 'America/Chicago' })).id;
  running = runWorkers({
    role: 'test',
    queues: ['maintenance'],
    bus,
    db: t.db,
    connection: redis.connect('worker'),
    logger,
    handlers: {
      'test.always-fails': async (data) => {
        throw new Error(`refused: ${data.reason}`);
      },
    },
  });
});

afterAll(async () => {
  await running.close(1_000);
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deadLetterOf = (reason: string) => waitFor(async () => (await listDeadLetters(t.db, { limit: 100 })).data.find((d) => (d.data as { reason?: string }).reason === reason));

describe('dead_letter.created', () => {
  it("a tenant's job that exhausted its attempts is reported with its dead letter, on the events queue", async () => {
    await bus.enqueue('test.always-fails', { tenantId, reason: 'tenant job' }, { attempts: 2, backoff: { type: 'fixed', delay: 20 } });
    const row = await deadLetterOf('tenant job');
    const job = await waitFor(async () => (await bus.queue('events').getJob(`ev-dead-letter-${row.id}`)) ?? undefined);
    expect(job.name).toBe('events.publish');
    expect(job.data).toMatchObject({
      tenantId,
      id: `evt_dead-letter-${row.id}`,
      type: 'dead_letter.created',
      timestamp: row.failedAt.toISOString(),
      data: { deadLetterId: row.id, queue: 'maintenance', name: 'test.always-fails', error: 'refused: tenant job' },
      fromOutbox: true,
    });
    // Built without eventJob (queues cannot import the events package): still the catalog's shape.
    expect(EVENT_CATALOG['dead_letter.created'].data.safeParse(job.data.data).success).toBe(true);

    // The same final attempt recorded again (the maintenance role's pass): no second row, no second event.
    const failed = (await bus.queue('maintenance').getFailed()).find((j) => j.data.reason === 'tenant job')!;
    expect(await deadLetterJob(t.db, bus, failed, new Error('refused: tenant job'), row.attempts)).toBeUndefined();
    expect(await findOutboxByJobIds(t.db, [`ev-dead-letter-${row.id}`])).toHaveLength(1);
  });

  it('a system-wide job (no tenant) has a dead letter but no event: events belong to a tenant', async () => {
    await bus.enqueue('test.always-fails', { tenantId: null, reason: 'system job' }, { attempts: 1 });
    const row = await deadLetterOf('system job');
    expect(await findOutboxByJobIds(t.db, [`ev-dead-letter-${row.id}`])).toEqual([]);
  });

  it("a failed job of the events queue itself is not reported (it would go to the endpoint that failed)", async () => {
    const job = await bus.queue('events').add('events.publish', { tenantId, id: 'evt_x', type: 'ping', timestamp: new Date().toISOString(), data: {} });
    const row = await deadLetterJob(t.db, bus, job, new Error('could not publish'), 8);
    expect(row).toBeDefined();
    expect(await findOutboxByJobIds(t.db, [`ev-dead-letter-${row!.id}`])).toEqual([]);
  });
});
