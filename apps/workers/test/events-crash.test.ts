// kill -9 of the events worker mid-delivery, then FLUSHALL of Redis, while 1,000 events are
// published: every event reaches each subscribed endpoint at least once, and a receiver that
// deduplicates by `webhook-id` sees each exactly once. The outbox row written in the fact's
// transaction and the delivery rows are the record; the maintenance role's outbox reconciler
// and `events.reconcile` rebuild what Redis lost. A fact whose transaction rolled back is
// never reported.
import { randomUUID } from 'node:crypto';
import { sql, TransactionRollbackError } from 'drizzle-orm';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createEndpoint, eventJob } from '@fieldhand/events';
import { createLogger } from '@fieldhand/observability';
import { createRedis, flushOutbox, jobCatalog, JobBus, runWorkers, writeOutbox, type FieldhandCatalog, type RunningWorkers } from '@fieldhand/queues';
import { startPrivateRedis, type PrivateRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox } from '../../sandbox/src/index.js';
import { maintenanceRole } from '../src/maintenance/role.js';
import { roleEnv, startRoleProcess, type RoleProcess } from './support/role-process.js';
import { sleep, until } from './support/until.js';

const TENANTS = 4;
const ENDPOINTS_PER_TENANT = 2;
// Ten waves of 100 committed facts (25 a tenant), a second apart; after every eighth, one whose transaction rolls back.
const WAVES = 10;
const PER_TENANT_WAVE = 25;
const ROLL_BACK_EVERY = 8;
const WAVE_GAP_MS = 1_000;
const EVENTS = TENANTS * WAVES * PER_TENANT_WAVE;
const DELIVERIES = EVENTS * ENDPOINTS_PER_TENANT;
// Wave 2's last facts are committed but never flushed, as if their writer died after the commit.
const UNFLUSHED_WAVE = 2;
const UNFLUSHED_PER_TENANT = 5;
// FLUSHALL right after writing a wave (its publish jobs just added): the first from this one on with the restarted worker up.
const FLUSH_FROM_WAVE = 5;
// The receivers take a moment to answer, so the kill lands with attempts at the endpoint.
const ANSWER_DELAY_MS = 40;
// The lease of an attempt (and an endpoint slot) is this + 10 s: a killed attempt is retried after it plus events.reconcile's grace.
const WEBHOOK_TIMEOUT_MS = 2_000;
const logger = createLogger({ name: 'events-crash', level: 'silent' });

let t: TestDatabase;
let redis: PrivateRedis;
let sandbox: RunningSandbox;
let bus: JobBus<FieldhandCatalog>;
let worker: RoleProcess | undefined;
let maintenance: RunningWorkers | undefined;
let maintenanceDb: Database | undefined;
const connections: Array<Redis | Cluster> = [];
const connect = () => {
  const c = createRedis(redis.url, 'worker');
  connections.push(c);
  return c;
};
const tenants: Array<{ id: string; receivers: Array<{ name: string; endpointId: string }> }> = [];

const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;
const delivered = () => count(sql`select count(*)::int as n from webhook_deliveries where status = 'delivered'`);
const receiverUrl = (name: string) => `${sandbox.url}/_sandbox/receivers/${name}`;
type Received = { webhookId: string | null; verified: boolean | null; status: number; body: { id?: string; type?: string; tenantId?: string; data?: { messageId?: string } } };
const receivedBy = async (name: string): Promise<Received[]> => ((await (await fetch(receiverUrl(name))).json()) as { received: Received[] }).received;
const phoneOf = (n: number) => `+1512${String(5_000_000 + n).padStart(7, '0')}`;

// The events role as its own process, as PM2 runs it: kill -9 is real.
const startEventsWorker = () =>
  startRoleProcess('events', roleEnv({ databaseUrl: t.url, redisUrl: redis.url }, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS) }));

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  sandbox = await createSandbox({ logLevel: 'silent' }).listen(0);
  bus = new JobBus(jobCatalog, connect(), 'fh');
  const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'fh' });
  // The maintenance role as its process runs it (the outbox reconciler), in this process with its own pool.
  maintenanceDb = createDatabase({ url: t.url, max: 5, applicationName: 'events-crash-maintenance' });
  const deps = { config, db: maintenanceDb, bus, logger };
  maintenance = runWorkers({ role: maintenanceRole.name, queues: maintenanceRole.queues, handlers: maintenanceRole.handlers(deps), bus, db: maintenanceDb, connection: connect(), logger });

  // Endpoints as the API saves them (URL checked against the policy), each at its own sandbox receiver verifying its secret.
  const endpointDeps = { db: t.db, bus, policy: { allowPrivate: true, requireHttps: false } };
  for (let k = 0; k < TENANTS; k++) {
    const tenant = await createTenant(t.db, { name: `Events HVAC ${k}`, timezone: 'America/Chicago' });
    const receivers: Array<{ name: string; endpointId: string }> = [];
    for (let j = 0; j < ENDPOINTS_PER_TENANT; j++) {
      const name = `crash-${k}-${j}`;
      const endpoint = await createEndpoint(endpointDeps, tenant.id, { url: receiverUrl(name), events: ['message.received'] });
      await fetch(receiverUrl(name), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secrets: [endpoint.secret], answers: [{ status: 200, times: 10_000, delayMs: ANSWER_DELAY_MS }] }),
      });
      receivers.push({ name, endpointId: endpoint.id });
    }
    tenants.push({ id: tenant.id, receivers });
  }
  worker = await startEventsWorker();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await maintenance?.close(2_000);
  await bus?.close();
  await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
  if (maintenanceDb) await closeDatabase(maintenanceDb);
  await sandbox?.close();
  await redis?.stop();
  await t?.drop();
}, 60_000);

let replies = 0;
/** A customer's reply as its `message.received` event, the product's way: eventJob, then writeOutbox in the fact's transaction. */
function replyEvent(tenantId: string) {
  const messageId = randomUUID();
  const n = replies++;
  const from = phoneOf(n);
  return eventJob(tenantId, 'message.received', { messageId, phone: from, body: `reply ${n}`, from, to: '+15125550100' }, { id: `msg-received-${messageId}` });
}

describe('events worker killed and Redis flushed mid-delivery', () => {
  it(`delivers each of ${EVENTS} events to every subscribed endpoint; a receiver deduplicating by webhook-id sees each once; rolled-back facts report nothing`, async () => {
    const started = Date.now();
    const committed = new Map<string, string>(); // event id → tenant id
    const rolledBack: string[] = [];
    let wavesWritten = 0;
    let killed = false;
    let flush: { at: number; jobs: number; outbox: number; undelivered: number } | undefined;

    async function writeWave(wave: number): Promise<void> {
      await Promise.all(
        tenants.map(async (tenant) => {
          for (let i = 0; i < PER_TENANT_WAVE; i++) {
            const job = replyEvent(tenant.id);
            const rows = await t.db.transaction((tx) => writeOutbox(tx, bus.catalog, [job]));
            committed.set(job.data.id, tenant.id);
            if (wave !== UNFLUSHED_WAVE || i < PER_TENANT_WAVE - UNFLUSHED_PER_TENANT) await flushOutbox(bus, rows);
            if (i % ROLL_BACK_EVERY !== ROLL_BACK_EVERY / 2) continue;
            // A fact that fails after its event was written: the transaction rolls back with it.
            const lost = replyEvent(tenant.id);
            await t.db
              .transaction(async (tx) => {
                await writeOutbox(tx, bus.catalog, [lost]);
                tx.rollback();
              })
              .catch((error: unknown) => {
                if (!(error instanceof TransactionRollbackError)) throw error;
              });
            rolledBack.push(lost.data.id);
          }
        }),
      );
    }

    // The writers: a wave a second; FLUSHALL right after one (its publish jobs just added) once the worker is back.
    const producer = (async () => {
      for (let wave = 0; wave < WAVES; wave++) {
        const waveStarted = Date.now();
        await writeWave(wave);
        wavesWritten = wave + 1;
        if (!flush && killed && wave >= FLUSH_FROM_WAVE) {
          const counts = await bus.queue('events').getJobCounts('waiting', 'prioritized', 'delayed', 'active');
          const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
          const outbox = await count(sql`select count(*)::int as n from outbox`);
          const undelivered = await count(sql`select count(*)::int as n from webhook_deliveries where status <> 'delivered'`);
          await connect().flushall();
          flush = { at: Date.now() - started, jobs, outbox, undelivered };
        }
        await sleep(Math.max(0, WAVE_GAP_MS - (Date.now() - waveStarted)));
      }
    })();

    // The maintenance role's reconcilers on a short timer instead of their 30 s schedules:
    // the outbox's (rows 30 s old whose job Redis lacks) and the deliveries' (owed an attempt for 60 s, no job).
    let reconciling = true;
    const reconciler = (async () => {
      for (let i = 0; reconciling; i++) {
        await bus.enqueue('maintenance.reconcile-outbox', { tenantId: null }, { jobId: `ro-${i}` }).catch(() => undefined);
        await bus.enqueue('events.reconcile', { tenantId: null }, { jobId: `er-${i}` }).catch(() => undefined);
        await sleep(2_000);
      }
    })();

    try {
      // kill -9 while the worker has attempts at the endpoints (claimed, POST in flight). An attempt takes
      // ~40 ms, so the ones seen may settle before the signal lands: then the next batch gets the kill.
      const events = bus.queue('events');
      let killedAt = 0;
      let heldAtKill = 0;
      let sendingAtKill = 0;
      let deliveredAtKill = 0;
      for (let attempt = 0; attempt < 4 && sendingAtKill === 0; attempt++) {
        const since = new Date();
        if (attempt > 0) worker = await startEventsWorker();
        const inFlight = sql`select count(*)::int as n from webhook_deliveries where status = 'sending' and updated_at >= ${since.toISOString()}::timestamptz`;
        await until(async () => (await delivered()) >= 50 && (await events.getActiveCount()) > 0 && (await count(inFlight)) > 0, 30_000, () => `attempts in flight\n${worker?.output()}`, 5);
        await worker!.kill9();
        killedAt = Date.now() - started;
        // Jobs the dead worker held (locked until their locks expire) and its attempts left claimed.
        heldAtKill = await events.getActiveCount();
        sendingAtKill = heldAtKill > 0 ? await count(inFlight) : 0;
        deliveredAtKill = await delivered();
      }
      // Down a moment; then back, as PM2 would restart it.
      await sleep(1_000);
      worker = await startEventsWorker();
      killed = true;
      await producer;
      expect(flush, `FLUSHALL happened (kill done by wave ${wavesWritten})`).toBeDefined();
      expect(committed.size).toBe(EVENTS);

      const progress = async () =>
        `every delivery made: ${await delivered()} of ${DELIVERIES} delivered, ${await count(sql`select count(*)::int as n from webhook_events`)} events stored, ` +
        `${await count(sql`select count(*)::int as n from outbox`)} outbox rows left\n${worker?.output()}`;
      let progressNow = '';
      await until(
        async () => {
          const done =
            (await delivered()) === DELIVERIES &&
            (await count(sql`select count(*)::int as n from webhook_events`)) === EVENTS &&
            (await count(sql`select count(*)::int as n from outbox`)) === 0;
          if (!done) progressNow = await progress();
          return done;
        },
        100_000,
        () => progressNow,
        250,
      );
      const runMs = Date.now() - started;
      await sleep(500);

      // PostgreSQL: exactly the committed events, one delivery per endpoint each, all delivered; nothing rolled back.
      const stored = (await t.db.execute<{ id: string; tenant_id: string }>(sql`select id, tenant_id from webhook_events`)).rows;
      expect(new Map(stored.map((e) => [e.id, e.tenant_id]))).toEqual(committed);
      expect(await count(sql`select count(*)::int as n from webhook_deliveries`)).toBe(DELIVERIES);
      expect(await count(sql`select count(*)::int as n from webhook_deliveries where status <> 'delivered'`)).toBe(0);
      const attempts = new Map(
        (await t.db.execute<{ endpoint_id: string; event_id: string; attempts: number }>(sql`select endpoint_id, event_id, attempts from webhook_deliveries`)).rows.map((d) => [`${d.endpoint_id}|${d.event_id}`, d.attempts]),
      );
      const retried = [...attempts.values()].filter((n) => n > 1).length;

      // The receivers: every post signed (standardwebhooks verifier), `webhook-id` = the body's id, each of the
      // tenant's events at least once; deduplicated by that id, each exactly once; nothing else.
      const rolledBackIds = new Set(rolledBack);
      let posts = 0;
      let duplicates = 0;
      for (const tenant of tenants) {
        const expected = [...committed].filter(([, tenantId]) => tenantId === tenant.id).map(([id]) => id);
        for (const { name, endpointId } of tenant.receivers) {
          const got = await receivedBy(name);
          posts += got.length;
          expect(got.filter((r) => r.verified !== true || r.status !== 200), `${name}: posts not verified`).toEqual([]);
          expect(got.filter((r) => r.webhookId !== r.body.id || r.body.tenantId !== tenant.id || r.body.type !== 'message.received' || r.body.id !== `evt_msg-received-${r.body.data?.messageId}`), `${name}: posts not matching their event`).toEqual([]);
          expect(got.filter((r) => rolledBackIds.has(r.webhookId ?? '')), `${name}: events of rolled-back facts`).toEqual([]);
          const seen = new Map<string | null, number>();
          for (const r of got) seen.set(r.webhookId, (seen.get(r.webhookId) ?? 0) + 1);
          duplicates += got.length - seen.size;
          expect([...seen.keys()].sort(), `${name}: the events it saw, deduplicated`).toEqual(expected.sort());
          // A post twice only for a delivery attempted twice: every post was a claimed attempt, no twin job sent one.
          expect([...seen].filter(([id, n]) => n > (attempts.get(`${endpointId}|${id}`) ?? 0)), `${name}: posts beyond the delivery's attempts`).toEqual([]);
        }
      }
      expect(stored.filter((e) => rolledBackIds.has(e.id))).toEqual([]);

      console.info(
        `${EVENTS} events (${rolledBack.length} more rolled back, none reported) to ${TENANTS * ENDPOINTS_PER_TENANT} endpoints: ${DELIVERIES} deliveries, ${retried} attempted more than once; ` +
          `kill -9 at +${killedAt} ms after ${deliveredAtKill} delivered with ${heldAtKill} jobs held and ${sendingAtKill} attempts in flight; ` +
          `FLUSHALL at +${flush!.at} ms with ${flush!.jobs} jobs in the events queue, ${flush!.outbox} outbox rows and ${flush!.undelivered} deliveries open; ` +
          `receivers got ${posts} posts, ${duplicates} duplicates (deduplicated by webhook-id); ${runMs} ms`,
      );
      expect(heldAtKill, 'jobs the killed worker was running').toBeGreaterThan(0);
      expect(sendingAtKill, 'attempts the killed worker left claimed').toBeGreaterThan(0);
      expect(flush!.jobs, 'events jobs FLUSHALL took').toBeGreaterThan(0);
    } finally {
      reconciling = false;
      await reconciler;
      await producer.catch(() => undefined);
    }
  }, 150_000);
});
