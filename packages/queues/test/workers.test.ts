import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findDeadLetter, listDeadLetters } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger, withCorrelation } from '@fieldhand/observability';
import {
  defineCatalog,
  InvalidJobPayloadError,
  JobBus,
  MissingHandlerError,
  replayDeadLetter,
  runWorkers,
  tenantScoped,
  type RunningWorkers,
} from '../src/index.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';

const catalog = defineCatalog({
  'test.echo': { queue: 'maintenance', schema: tenantScoped.extend({ text: z.string() }) },
  'test.always-fails': { queue: 'maintenance', schema: tenantScoped.extend({ reason: z.string() }) },
});

const fastRetries = { attempts: 3, backoff: { type: 'fixed', delay: 50 } } as const;
const logger = createLogger({ name: 'queues-test', level: 'silent' });
const tenantId = '00000000-0000-4000-8000-000000000001';

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<typeof catalog>;
let running: RunningWorkers;
let events: QueueEvents;
const seen: Array<{ text: string; correlationId: string | undefined }> = [];
let failures = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(catalog, redis.connect('producer'), redis.prefix);
  const { currentCorrelationId } = await import('@fieldhand/observability');
  running = runWorkers({
    role: 'test',
    queues: ['maintenance'],
    bus,
    db: t.db,
    connection: redis.connect('worker'),
    logger,
    handlers: {
      'test.echo': async (data) => {
        seen.push({ text: data.text, correlationId: currentCorrelationId() });
      },
      'test.always-fails': async (data) => {
        failures++;
        throw new Error(`refused: ${data.reason}`);
      },
    },
  });
  events = new QueueEvents('maintenance', { connection: redis.connect('worker'), prefix: redis.prefix });
  await events.waitUntilReady();
});

afterAll(async () => {
  await running.close(1_000);
  await events.close();
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

describe('enqueue', () => {
  it('rejects a wrong payload at run time', async () => {
    await expect(bus.enqueue('test.echo', { tenantId, text: 42 } as never)).rejects.toBeInstanceOf(InvalidJobPayloadError);
  });

  it('rejects a wrong payload at compile time', () => {
    // The typecheck step fails if either line ever compiles.
    // @ts-expect-error text must be a string
    void (() => bus.enqueue('test.echo', { tenantId, text: 1 }));
    // @ts-expect-error unknown job name
    void (() => bus.enqueue('test.nope', { tenantId }));
  });

  it('carries the caller correlation id into the worker', async () => {
    const jobId = await withCorrelation({ correlationId: 'req-abc' }, () => bus.enqueue('test.echo', { tenantId, text: 'hello' }));
    const job = await bus.queue('maintenance').getJob(jobId);
    await job!.waitUntilFinished(events, 10_000);
    expect(seen).toContainEqual({ text: 'hello', correlationId: 'req-abc' });
  });
});

describe('dead letters', () => {
  it('copies a job that always fails to the dead-letter queue and table after its attempts', async () => {
    const jobId = await bus.enqueue('test.always-fails', { tenantId, reason: 'nope' }, fastRetries);
    const row = await waitFor(async () => (await listDeadLetters(t.db, { queue: 'maintenance', limit: 10 })).data.find((r) => r.jobId === jobId));
    expect(failures).toBe(3);
    expect(row).toMatchObject({ jobName: 'test.always-fails', attempts: 3, error: 'refused: nope', tenantId, data: { tenantId, reason: 'nope' } });
    expect(row.stack).toContain('refused: nope');
    const copy = await bus.queue('dead-letter').getJob(row.id);
    expect(copy?.data).toMatchObject({ queue: 'maintenance', name: 'test.always-fails', error: 'refused: nope' });
    // The dead letter is written before BullMQ moves the job to failed (so none is lost): the move follows.
    const failed = await bus.queue('maintenance').getJob(jobId);
    expect(await waitFor(async () => ((await failed?.getState()) === 'failed' ? 'failed' : undefined))).toBe('failed');
  });

  it('replays a dead letter into its original queue with the same data', async () => {
    const jobId = await bus.enqueue('test.always-fails', { tenantId, reason: 'replay me' }, { attempts: 1 });
    const row = await waitFor(async () => (await listDeadLetters(t.db, { limit: 50 })).data.find((r) => r.jobId === jobId));
    const replay = await replayDeadLetter(t.db, bus, row.id);
    const replayed = await bus.queue('maintenance').getJob(replay!.jobId);
    expect(replayed?.name).toBe('test.always-fails');
    expect(replayed?.data).toMatchObject({ tenantId, reason: 'replay me' });
    expect((await findDeadLetter(t.db, row.id))?.replayedAt).toBeInstanceOf(Date);
    expect(await bus.queue('dead-letter').getJob(row.id)).toBeUndefined();
  });

  it('sends an invalid payload straight to dead letters without retrying', async () => {
    const job = await bus.queue('maintenance').add('test.echo', { tenantId, text: { not: 'a string' } }, { attempts: 5 });
    const row = await waitFor(async () => (await listDeadLetters(t.db, { limit: 50 })).data.find((r) => r.jobId === job.id));
    expect(row.attempts).toBe(1);
    expect(row.error).toMatch(/Invalid payload for test.echo: text/);
  });
});

describe('boot check', () => {
  it('refuses to start a role with a job that has no handler', () => {
    expect(() =>
      runWorkers({ role: 'broken', queues: ['maintenance'], bus, db: t.db, connection: redis.connect(), logger, handlers: { 'test.echo': async () => undefined } }),
    ).toThrow(MissingHandlerError);
  });
});
