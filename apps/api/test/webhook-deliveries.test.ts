// Event delivery end to end over real HTTP: an event written to the outbox in its fact's
// transaction → events.publish → events.deliver (the events role's handlers, in this process)
// → the sandbox's receiver, which checks the signature with the standardwebhooks verifier.
// The retry schedule is scaled down (WEBHOOK_RETRY_SCALE) so a day of retries takes seconds.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { insertWebhookEndpoint, listDeadLetters, recordWebhookEvent, webhookEvents } from '@fieldhand/db';
import { deliveryAgents, eventJob, newWebhookSecret, reconcileDeliveries, type DeliveryDeps, type EventData, type EventType } from '@fieldhand/events';
import { createLogger } from '@fieldhand/observability';
import { flushOutbox, runWorkers, writeOutbox, type RunningWorkers } from '@fieldhand/queues';
import { eq } from 'drizzle-orm';
import { createSandbox, type RunningSandbox } from '../../sandbox/src/index.js';
import { deliveryDeps, eventHandlers } from '../../workers/src/events/role.js';
import { ADMIN_KEY, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let sandbox: RunningSandbox;
let workers: RunningWorkers;
let deps: DeliveryDeps;
let tenantId: string;
const closers: Array<() => Promise<unknown>> = [];
const logger = createLogger({ name: 'webhook-deliveries-test', level: 'silent' });
const SCALE = 0.0001; // 5 s → 0.5 ms … 10 h → 3.6 s

beforeAll(async () => {
  api = await startTestApi({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCALE: String(SCALE) } });
  sandbox = await createSandbox({ logLevel: 'silent' }).listen(0);
  deps = deliveryDeps({ config: api.config, db: api.db, bus: api.bus, logger, onShutdown: (close) => void closers.push(close) });
  workers = runWorkers({ role: 'events', queues: ['events'], handlers: eventHandlers(deps), bus: api.bus, db: api.db, connection: api.redis.connect('worker'), logger });
  tenantId = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: tenantInput('Webhooks Co') })).body.id;
}, 60_000);
afterAll(async () => {
  await workers?.close(2_000);
  await Promise.all(closers.map((close) => close()));
  await sandbox?.close();
  await api?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const receiverUrl = (name: string) => `${sandbox.url}/_sandbox/receivers/${name}`;
async function receiver(name: string, config: { secrets?: string[]; answers?: Array<{ status: number; times?: number; location?: string }> } = {}) {
  await fetch(receiverUrl(name), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
}
type Received = { webhookId: string; webhookTimestamp: string; signature: string; verified: boolean | null; verifiedWith: number[] | null; status: number; body: Record<string, unknown> };
const received = async (name: string): Promise<Received[]> => ((await (await fetch(receiverUrl(name))).json()) as { received: Received[] }).received;

const base = () => `/api/v1/tenants/${tenantId}/webhook-endpoints`;
async function endpoint(url: string, events: EventType[]): Promise<{ id: string; secret: string }> {
  const res = await api.request(base(), { method: 'POST', key: ADMIN_KEY, body: { url, events } });
  if (res.status !== 201) throw new Error(res.text);
  return res.body;
}
// Tests read deep into JSON answers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const deliveries = async (endpointId: string): Promise<any[]> => (await api.request(`${base()}/${endpointId}/deliveries`, { key: ADMIN_KEY })).body.data;

/** The producers' path: the event's outbox row in the fact's transaction, flushed after the commit. */
async function publish<T extends EventType>(type: T, data: EventData<T>): Promise<string> {
  const job = eventJob(tenantId, type, data);
  const rows = await api.db.transaction((tx) => writeOutbox(tx, api.bus.catalog, [job]));
  await flushOutbox(api.bus, rows);
  return job.data.id;
}
const reply = (body = 'yes, call me Thursday') => ({ messageId: crypto.randomUUID(), phone: '+13125550101', body, from: '+13125550101', to: '+15125550100' });

describe('event delivery', () => {
  it('a receiver answering 500 three times then 200 gets it on the 4th attempt; the deliveries list shows all four; signatures verify', async () => {
    const ep = await endpoint(receiverUrl('flaky'), ['message.received']);
    await receiver('flaky', { secrets: [ep.secret], answers: [{ status: 500, times: 3 }] });
    const eventId = await publish('message.received', reply());

    const [delivery] = await until(async () => {
      const list = await deliveries(ep.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    }, 15_000, 'delivered');
    expect(delivery.eventId).toBe(eventId);
    expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 200]);
    expect(delivery.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(delivery.attempts.slice(0, 3).every((a: { nextAttemptAt: string | null; error: string }) => a.nextAttemptAt !== null && a.error.startsWith('HTTP 500'))).toBe(true);
    expect(delivery.attempts[3]).toMatchObject({ error: null, nextAttemptAt: null });
    expect(delivery.event).toMatchObject({ type: 'message.received', id: eventId, tenantId });

    const got = await received('flaky');
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.webhookId))).toEqual(new Set([eventId]));
    expect(got.every((r) => r.verified === true)).toBe(true);
    // The body as sent, verified here too with the standardwebhooks verifier.
    const last = got[3]!;
    expect(last.body).toEqual({ type: 'message.received', id: eventId, timestamp: expect.any(String), tenantId, data: expect.objectContaining({ body: 'yes, call me Thursday' }) });
    const headers = { 'webhook-id': last.webhookId, 'webhook-timestamp': last.webhookTimestamp, 'webhook-signature': last.signature };
    expect(new Webhook(ep.secret).verify(JSON.stringify(last.body), headers)).toEqual(last.body);
    expect(() => new Webhook(newWebhookSecret()).verify(JSON.stringify(last.body), headers)).toThrow();
    // Stored once by id.
    expect(await api.db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId))).toHaveLength(1);
  });

  it('a receiver down for good: every scheduled attempt, then a dead letter', async () => {
    const port = await closedPort();
    const ep = await endpoint(`http://127.0.0.1:${port}/hook`, ['consent.opted_out']);
    const eventId = await publish('consent.opted_out', { phone: '+13125550102', source: 'keyword', keyword: 'STOP' });
    const dead = await until(async () => (await listDeadLetters(api.db, { queue: 'events', tenantId, limit: 10 })).data.find((d) => d.data.eventId === eventId), 30_000, 'dead letter');
    expect(dead).toMatchObject({ jobName: 'events.deliver', data: { eventId, endpointId: ep.id } });
    expect(dead.error).toMatch(/failed after 7 attempt/);
    const [delivery] = await deliveries(ep.id);
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toHaveLength(7);
    expect(delivery.attempts.every((a: { statusCode: number | null; error: string }) => a.statusCode === null && /ECONNREFUSED/.test(a.error))).toBe(true);
  });

  it('an endpoint failing for the whole disable window is disabled, and the tenant is told (webhook_endpoint.disabled)', async () => {
    const watcher = await endpoint(receiverUrl('ops'), ['webhook_endpoint.disabled']);
    await receiver('ops', { secrets: [watcher.secret] });
    const failing = await endpoint(receiverUrl('broken'), ['reminder.sent']);
    await receiver('broken', { answers: [{ status: 503, times: 1_000 }] });
    deps.settings.disableAfterMs = 1_000;
    try {
      await publish('reminder.sent', { reminderId: crypto.randomUUID(), appointmentId: 42, phone: '+13125550103' });
      const disabled = await until(async () => {
        const res = await api.request(`${base()}/${failing.id}`, { key: ADMIN_KEY });
        return res.body.disabled ? res.body : undefined;
      }, 20_000, 'endpoint disabled');
      expect(disabled.disabledReason).toMatch(/failing without a success since/);
      const notice = await until(async () => (await received('ops')).find((r) => r.body.type === 'webhook_endpoint.disabled'), 10_000, 'notice');
      expect(notice.verified).toBe(true);
      expect(notice.body.data).toMatchObject({ endpointId: failing.id, url: receiverUrl('broken') });
      // Disabled: nothing more is sent to it, and a test ping is refused until it is enabled.
      expect((await api.request(`${base()}/${failing.id}/test`, { method: 'POST', key: ADMIN_KEY })).status).toBe(409);
    } finally {
      deps.settings.disableAfterMs = 3 * 24 * 3_600_000;
    }
  });

  it('after rotate-secret both secrets verify the deliveries of the overlap', async () => {
    const ep = await endpoint(receiverUrl('rotating'), ['message.status']);
    const rotated = (await api.request(`${base()}/${ep.id}/rotate-secret`, { method: 'POST', key: ADMIN_KEY })).body;
    await receiver('rotating', { secrets: [ep.secret, rotated.secret] });
    await publish('message.status', { messageId: crypto.randomUUID(), phone: '+13125550104', status: 'delivered' });
    const [got] = await until(async () => {
      const list = await received('rotating');
      return list.length > 0 ? list : undefined;
    }, 10_000, 'delivery');
    expect(got!.signature.split(' ')).toHaveLength(2);
    expect(got!.verifiedWith).toEqual([0, 1]);
    const headers = { 'webhook-id': got!.webhookId, 'webhook-timestamp': got!.webhookTimestamp, 'webhook-signature': got!.signature };
    for (const secret of [ep.secret, rotated.secret]) expect(new Webhook(secret).verify(JSON.stringify(got!.body), headers)).toEqual(got!.body);
  });

  it('retry tries again at once while an automatic retry is scheduled, with the same webhook-id', async () => {
    deps.settings.retryScale = 1; // the next attempt would be 5 s away
    try {
      const ep = await endpoint(receiverUrl('retry-now'), ['ping']);
      await receiver('retry-now', { secrets: [ep.secret], answers: [{ status: 500 }] });
      const ping = await api.request(`${base()}/${ep.id}/test`, { method: 'POST', key: ADMIN_KEY });
      expect(ping.status).toBe(202);
      const [scheduled] = await until(async () => {
        const list = await deliveries(ep.id);
        return list[0]?.status === 'retrying' ? list : undefined;
      }, 10_000, 'a scheduled retry');
      expect(new Date(scheduled.nextAttemptAt).getTime() - Date.now()).toBeGreaterThan(3_000);
      const started = Date.now();
      const retry = await api.request(`${base()}/${ep.id}/deliveries/${scheduled.id}/retry`, { method: 'POST', key: ADMIN_KEY });
      expect(retry.status).toBe(202);
      await until(async () => (await deliveries(ep.id))[0]?.status === 'delivered', 3_000, 'delivered by the retry');
      expect(Date.now() - started).toBeLessThan(3_000);
      const got = await received('retry-now');
      expect(got.map((r) => r.status)).toEqual([500, 200]);
      expect(got.map((r) => r.webhookId)).toEqual([ping.body.eventId, ping.body.eventId]);
      expect(got[0]!.body).toMatchObject({ type: 'ping', data: { endpointId: ep.id } });
      expect((await api.request(`${base()}/${ep.id}/deliveries/${scheduled.id}/retry`, { method: 'POST', key: ADMIN_KEY })).status).toBe(409);
    } finally {
      deps.settings.retryScale = SCALE;
    }
  });

  it('a delivery PostgreSQL owes but Redis lost (never enqueued, or FLUSHALL) is enqueued again by events.reconcile', async () => {
    const ep = await endpoint(receiverUrl('reconciled'), ['sync.failed']);
    await receiver('reconciled', { secrets: [ep.secret] });
    const id = `evt_lost-${Date.now()}`;
    // The event and its delivery are stored, as publish does, but no job was ever added.
    await recordWebhookEvent(api.db, { tenantId, id, type: 'sync.failed', timestamp: new Date(), data: { source: 'ghl', module: 'contacts', error: 'boom' } }, [ep.id]);
    await sleep(300);
    expect(await received('reconciled')).toEqual([]);
    expect(await reconcileDeliveries(deps, 100)).toBe(1);
    const [got] = await until(async () => {
      const list = await received('reconciled');
      return list.length > 0 ? list : undefined;
    }, 10_000, 'the reconciled delivery');
    expect(got).toMatchObject({ webhookId: id, verified: true });
    // Delivered: nothing is owed any more.
    await until(async () => (await deliveries(ep.id))[0]?.status === 'delivered', 5_000, 'delivered');
    expect(await reconcileDeliveries(deps, 0)).toBe(0);
  });

  it('a redirect is not followed: a failed attempt, and its target gets nothing', async () => {
    const ep = await endpoint(receiverUrl('redirector'), ['ping']);
    await receiver('redirector', { answers: [{ status: 302, times: 100, location: receiverUrl('redirect-target') }] });
    await receiver('redirect-target');
    await api.request(`${base()}/${ep.id}/test`, { method: 'POST', key: ADMIN_KEY });
    const [delivery] = await until(async () => {
      const list = await deliveries(ep.id);
      return list[0]?.attempts.length > 0 ? list : undefined;
    }, 10_000, 'an attempt');
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 302, error: expect.stringContaining('redirect not followed') });
    await api.request(`${base()}/${ep.id}`, { method: 'DELETE', key: ADMIN_KEY });
    expect(await received('redirect-target')).toEqual([]);
  });
});

describe('SSRF at send (WEBHOOK_ALLOW_PRIVATE_URLS off in the worker)', () => {
  it.each([
    ['loopback', () => `${receiverUrl('ssrf')}`],
    ['10.x', () => 'http://10.0.0.1/hook'],
    ['metadata', () => 'http://169.254.169.254/latest/meta-data'],
    ['numeric loopback', () => `http://2130706433:${new URL(sandbox.url).port}/_sandbox/receivers/ssrf`],
    ['IPv4-mapped IPv6', () => `http://[::ffff:127.0.0.1]:${new URL(sandbox.url).port}/_sandbox/receivers/ssrf`],
    ['a name resolving to loopback', () => `http://localhost:${new URL(sandbox.url).port}/_sandbox/receivers/ssrf`],
  ])('refuses %s when connecting: a failed delivery, nothing received', async (_what, url) => {
    await receiver('ssrf');
    // Saved as an older, laxer deployment might have: straight into the table.
    const ep = await insertWebhookEndpoint(api.db, { tenantId, url: new URL(url()).toString(), events: ['ping'], description: null, secret: newWebhookSecret() });
    const lenient = deps.agents;
    deps.agents = deliveryAgents({ allowPrivate: false });
    try {
      await api.request(`${base()}/${ep.id}/test`, { method: 'POST', key: ADMIN_KEY });
      const [delivery] = await until(async () => {
        const list = await deliveries(ep.id);
        return list[0]?.attempts.length > 0 ? list : undefined;
      }, 10_000, 'an attempt');
      expect(delivery.attempts[0].statusCode).toBeNull();
      expect(delivery.attempts[0].error).toMatch(/is not allowed/);
      await api.request(`${base()}/${ep.id}`, { method: 'DELETE', key: ADMIN_KEY });
    } finally {
      deps.agents = lenient;
    }
    expect(await received('ssrf')).toEqual([]);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
