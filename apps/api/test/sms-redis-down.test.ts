// Must-show: with Redis down, an inbound STOP is still answered 200 and
// recorded; once Redis is back, the reconciler enqueues the rest and it runs.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@fieldhand/config';
import { createTenant, findConsent, messages, webhookInbox } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { createRedis, jobCatalog, JobBus, reconcileInbox, runWorkers, type FieldhandCatalog } from '@fieldhand/queues';
import { startPrivateRedis, type PrivateRedis } from '@fieldhand/queues/testing';
import { smsDeps, smsHandlers } from '../../workers/src/sms/role.js';
import { createApp } from '../src/app.js';
import { sign } from './support/sms-harness.js';

const SENDER = '+17372004088';
const ACCOUNT_SID = `AC${'8'.repeat(32)}`;
const AUTH_TOKEN = 'redis-down-auth-token-0123456789';
const CUSTOMER = '+15127039001';
const logger = createLogger({ name: 'redis-down-test', level: 'silent' });

let t: TestDatabase;
let redis: PrivateRedis;
let bus: JobBus<FieldhandCatalog>;
let producer: ReturnType<typeof createRedis>;
let server: Server;
let url: string;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  producer = createRedis(redis.url, 'producer');
  producer.on('error', () => undefined);
  bus = new JobBus(jobCatalog, producer, 'redis-down');
  const config = loadConfig({ FIELDHAND_ADMIN_KEY: 'redis-down-admin-key-0123456789', DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'redis-down' });
  const app = createApp({ config, db: t.db, bus, redis: producer, logger });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config.http.PUBLIC_BASE_URL = url;
  tenantId = (await createTenant(t.db, { name: 'Redis Down HVAC', timezone: 'America/Chicago', twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } })).id;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await bus.close().catch(() => undefined);
  await redis.stop();
  await t.drop();
});

describe('inbound STOP while Redis is down', () => {
  it('answers 200 and records the opt-out at once, and the queued follow-up runs after Redis returns', async () => {
    // As in a running API, the queues were in use before the outage.
    await Promise.all((['sms-inbound', 'workflow', 'dead-letter'] as const).map((q) => bus.queue(q).waitUntilReady()));
    await redis.stop();
    const params = { MessageSid: `SM${'e'.repeat(32)}`, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: SENDER, Body: 'STOP', NumMedia: '0', NumSegments: '1' };
    const started = Date.now();
    const res = await fetch(`${url}/webhooks/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(AUTH_TOKEN, `${url}/webhooks/twilio/sms`, params) },
      body: new URLSearchParams(params),
    });
    expect(res.status).toBe(200);
    // Twilio gives up after 15 s; the answer must come well before.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await findConsent(t.db, tenantId, CUSTOMER)).toMatchObject({ smsOptOut: true, keyword: 'STOP' });
    const [row] = await t.db.select().from(webhookInbox).where(eq(webhookInbox.externalId, params.MessageSid));
    expect(row).toMatchObject({ processedAt: null });

    await redis.start();
    // The API's producer connection fails fast while reconnecting; wait until it is back, as the API's own requests would.
    for (let i = 0; i < 100 && producer.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
    // The maintenance role's reconciler picks the row up; an sms worker runs it.
    const workerConnection = createRedis(redis.url, 'worker');
    const deps = smsDeps({ config: loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url }), db: t.db, bus, logger });
    const workers = runWorkers({
      role: 'sms',
      queues: ['sms-send', 'sms-inbound'],
      handlers: smsHandlers(deps),
      bus,
      db: t.db,
      connection: workerConnection,
      logger,
    });
    try {
      expect((await reconcileInbox({ db: t.db, bus, logger }, 0)).reenqueued).toBe(1);
      const deadline = Date.now() + 15_000;
      let processed: Date | null = null;
      while (!processed && Date.now() < deadline) {
        [{ processedAt: processed }] = (await t.db.select({ processedAt: webhookInbox.processedAt }).from(webhookInbox).where(eq(webhookInbox.externalId, params.MessageSid))) as [{ processedAt: Date | null }];
        if (!processed) await new Promise((r) => setTimeout(r, 100));
      }
      expect(processed).toBeInstanceOf(Date);
      const events = await bus.queue('workflow').getJobs(['waiting', 'delayed', 'completed']);
      expect(events.map((j) => j.data as { type?: string }).some((d) => d.type === 'sms.opted_out')).toBe(true);
    } finally {
      await workers.close(2_000);
      workerConnection.disconnect();
    }
  }, 40_000);

  it('a text stored while Redis is down is answered 202, not 503: a client retry cannot make a second one', async () => {
    await redis.stop();
    try {
      const res = await fetch(`${url}/api/v1/tenants/${tenantId}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer redis-down-admin-key-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+15127039002', body: 'Your technician is on the way' }),
      });
      // Before: the row committed, the enqueue failed, and the client got a 503 to retry into a second text.
      expect(res.status).toBe(202);
      const stored = await t.db.select().from(messages).where(eq(messages.to, '+15127039002'));
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ status: 'queued' });
    } finally {
      await redis.start();
    }
  }, 30_000);
});
