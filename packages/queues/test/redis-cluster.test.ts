import { Writable } from 'node:stream';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listDeadLetters } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
// The multi-key Redis users of other packages, run here against the same cluster.
import { GhlRequestBudget } from '../../ghl/src/client/request-budget.js';
import { SenderRateLimit } from '../../sms/src/sender-rate-limit.js';
import {
  checkRedisServer,
  createRedis,
  defineCatalog,
  findRedisServerProblems,
  isCluster,
  JobBus,
  queuePrefix,
  replayDeadLetter,
  runWorkers,
  tenantScoped,
  upsertSchedules,
  type RedisConnection,
  type RunningWorkers,
} from '../src/index.js';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../src/testing.js';

// A cluster of the test's own, so the prefix can be fixed: which shard each queue's hash tag
// lands on is then the same on every run.
const PREFIX = 'fh-cluster';
const tenantId = '00000000-0000-4000-8000-000000000019';

const catalog = defineCatalog({
  'test.step': { queue: 'workflow', schema: tenantScoped.extend({ n: z.number() }) },
  'test.send': { queue: 'sms-send', schema: tenantScoped.extend({ n: z.number() }) },
  'test.remind': { queue: 'reminders', schema: tenantScoped.extend({ n: z.number() }) },
  'test.flaky': { queue: 'sync', schema: tenantScoped.extend({ n: z.number() }), retry: { attempts: 2, backoffMs: 20 } },
  'test.tick': { queue: 'maintenance', schema: z.object({}), everyMs: 300 },
});

let cluster: PrivateRedisCluster;
let t: TestDatabase;
let producer: RedisConnection;
let consumer: RedisConnection;
let side: RedisConnection;
let bus: JobBus<typeof catalog>;
let running: RunningWorkers;
const logLines: string[] = [];
const logger = createLogger({
  name: 'redis-cluster-test',
  level: 'warn',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
});
const done: Record<string, number[]> = { step: [], send: [], remind: [], flaky: [] };
let ticks = 0;
let healed = false;

beforeAll(async () => {
  cluster = await startPrivateRedisCluster(3);
  try {
    t = await createTestDatabase();
    producer = createRedis(cluster.url, 'producer');
    consumer = createRedis(cluster.url, 'worker');
    side = createRedis(cluster.url, 'worker');
    bus = new JobBus(catalog, producer, PREFIX);
    running = runWorkers({
      role: 'cluster-test',
      queues: ['workflow', 'sms-send', 'reminders', 'sync', 'maintenance'],
      bus,
      db: t.db,
      connection: consumer,
      logger,
      handlers: {
        'test.step': async (data) => void done.step!.push(data.n),
        'test.send': async (data) => void done.send!.push(data.n),
        'test.remind': async (data) => void done.remind!.push(data.n),
        'test.flaky': async (data) => {
          if (!healed) throw new Error(`not yet: ${data.n}`);
          done.flaky!.push(data.n);
        },
        'test.tick': async () => void ticks++,
      },
    });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
});

afterAll(async () => {
  await running?.close(1_000);
  await bus?.close();
  await Promise.all([producer, consumer, side].map((c) => c?.quit().catch(() => undefined)));
  await t?.drop();
  await cluster?.stop();
});

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every key of this deployment, by the primary that holds it. */
async function keysByPrimary(connection: Cluster): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const node of connection.nodes('master')) {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `{${PREFIX}:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length > 0) found.set(`${node.options.port}`, keys);
  }
  return found;
}

describe('BullMQ on a Redis Cluster', () => {
  it('connects through ioredis Cluster from a redis+cluster:// URL', () => {
    expect(isCluster(producer)).toBe(true);
    expect(bus.queuePrefix('sms-send')).toBe(`{${PREFIX}:sms-send}`);
    // One server keeps the prefix it always had, so existing deployments keep their jobs.
    expect(queuePrefix(PREFIX, 'sms-send', false)).toBe(PREFIX);
  });

  it('runs jobs of several queues, a delayed one and a scheduler without CROSSSLOT', async () => {
    await upsertSchedules(bus, [{ id: 'test.tick', job: 'test.tick', everyMs: 300, data: {} }]);
    for (let n = 0; n < 5; n++) {
      await bus.enqueue('test.step', { tenantId, n });
      await bus.enqueue('test.send', { tenantId, n });
    }
    await bus.addBulk('workflow', [5, 6].map((n) => ({ name: 'test.step', data: { tenantId, n } })));
    const started = Date.now();
    await bus.enqueue('test.remind', { tenantId, n: 1 }, { delay: 700 });

    await waitFor(() => (done.step!.length === 7 && done.send!.length === 5 ? true : undefined));
    const remindedAt = await waitFor(() => (done.remind!.length === 1 ? Date.now() : undefined));
    expect(remindedAt - started).toBeGreaterThanOrEqual(650);
    await waitFor(() => (ticks >= 2 ? true : undefined));
    expect(done.step!.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(logLines.join('')).not.toMatch(/CROSSSLOT/);
  });

  it('dead-letters a job that exhausted its attempts, and replays it', async () => {
    const jobId = await bus.enqueue('test.flaky', { tenantId, n: 42 });
    const row = await waitFor(async () => (await listDeadLetters(t.db, { queue: 'sync', limit: 10 })).data.find((r) => r.jobId === jobId));
    expect(row).toMatchObject({ jobName: 'test.flaky', attempts: 2 });
    expect(await bus.queue('dead-letter').getJob(row.id)).toBeDefined();

    healed = true;
    const replay = await replayDeadLetter(t.db, bus, row.id);
    expect(replay?.jobId).toBe(`replay-${row.id}`);
    await waitFor(() => (done.flaky!.includes(42) ? true : undefined));
    expect(await bus.queue('dead-letter').getJob(row.id)).toBeUndefined();
    expect(logLines.join('')).not.toMatch(/CROSSSLOT/);
  });

  it("keeps each queue's keys in one slot and spreads the queues over the shards", async () => {
    const connection = producer as Cluster;
    const byPrimary = await keysByPrimary(connection);
    expect(byPrimary.size).toBeGreaterThan(1);
    const slotOfQueue = new Map<string, number>();
    for (const keys of byPrimary.values()) {
      for (const key of keys) {
        const tag = /^\{([^}]+)\}/.exec(key)![1]!;
        const slot = Number(await connection.call('CLUSTER', 'KEYSLOT', key));
        expect(slot).toBe(Number(await connection.call('CLUSTER', 'KEYSLOT', tag)));
        expect(slotOfQueue.get(tag) ?? slot).toBe(slot);
        slotOfQueue.set(tag, slot);
      }
    }
    // Every queue the test used has keys, under its own tag.
    for (const queue of ['workflow', 'sms-send', 'reminders', 'sync', 'maintenance', 'dead-letter']) expect(slotOfQueue.has(`${PREFIX}:${queue}`)).toBe(true);
  });
});

describe('other multi-key Redis use on a cluster', () => {
  it('the sender rate limiter reserves a sender and makes the next send wait', async () => {
    const limit = new SenderRateLimit(side as Redis | Cluster, PREFIX);
    expect(await limit.reserve('+15550001919', 2, 1)).toBe(0);
    const wait = await limit.reserve('+15550001919', 1, 1);
    expect(wait).toBeGreaterThan(1_000);
    expect(wait).toBeLessThanOrEqual(2_000);
    // Another sender is not held up.
    expect(await limit.reserve('+15550002020', 1, 1)).toBe(0);
  });

  it("the GHL request budget's four-key script and MULTI stay in one slot", async () => {
    const budget = new GhlRequestBudget(side, PREFIX, { max: 3, margin: 0, intervalMs: 10_000 });
    await budget.take('loc-19');
    await budget.observe('loc-19', { 'x-ratelimit-max': '3', 'x-ratelimit-remaining': '50' });
    await budget.hold('loc-19', 50);
    await budget.take('loc-19');
  });
});

describe('the noeviction check on a cluster', () => {
  it('reads every primary, and refuses in production when one may evict', async () => {
    const clean = await findRedisServerProblems(producer);
    expect(clean.eviction).toEqual([]);
    // The test nodes run without persistence: that only warns.
    expect(clean.persistence).toHaveLength(3);

    const [, second] = (producer as Cluster).nodes('master');
    await second!.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const found = await findRedisServerProblems(producer);
      expect(found.eviction).toEqual([{ node: `127.0.0.1:${second!.options.port}`, problem: 'maxmemory-policy is allkeys-lru, not noeviction' }]);
      let refused = 0;
      await checkRedisServer(producer, { production: true, logger, refuse: () => void refused++ });
      expect(refused).toBe(1);
      await checkRedisServer(producer, { production: false, logger, refuse: () => void refused++ });
      expect(refused).toBe(1);
      expect(logLines.join('')).toMatch(/REDIS MAY EVICT BULLMQ KEYS/);
    } finally {
      await second!.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
