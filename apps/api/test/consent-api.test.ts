// An operator's opt-out (PUT …/consent) must do what an inbound STOP does: cancel the
// number's queued texts and stop its workflow runs. Before, it recorded the consent only.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import { runWorkers, type RunningWorkers } from '@fieldhand/queues';
import { smsHandlers } from '../../workers/src/sms/role.js';
import { workflowsRole } from '../../workers/src/workflows/role.js';
import { ADMIN_KEY } from './support/test-api.js';
import { startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
const workers: RunningWorkers[] = [];
const admin = { key: ADMIN_KEY };
const base = () => `/api/v1/tenants/${h.tenantId}`;
let nextId = 70_000;

const definition = {
  key: 'consent-follow-up',
  name: 'Follow-up that an opt-out stops',
  trigger: { event: 'estimate.created', conditions: [] },
  reentry: { policy: 'once' },
  stopWhen: [{ event: 'sms.opted_out', match: 'phone', reason: 'customer opted out' }],
  start: 'text-1',
  steps: [
    { id: 'text-1', type: 'send_sms', template: 'Hi {{firstName}}, about your estimate.', next: 'wait-1' },
    { id: 'wait-1', type: 'wait', duration: 'PT1H', next: 'text-2' },
    { id: 'text-2', type: 'send_sms', template: 'Hi {{firstName}}, any questions?', next: 'done' },
    { id: 'done', type: 'end' },
  ],
};

async function seedEstimate(phone: string): Promise<{ estimateId: number; customerId: number }> {
  const db = h.api.db;
  const customerId = ++nextId;
  const estimateId = ++nextId;
  await db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) values (${h.tenantId}, ${customerId}, true, now(), '{}'::jsonb, 'Pat Jones')`);
  await db.execute(sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) values (${h.tenantId}, ${++nextId}, true, now(), '{}'::jsonb, ${customerId}, 'MobilePhone', ${phone}, ${phone})`);
  await db.execute(sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, total) values (${h.tenantId}, ${estimateId}, true, now(), '{}'::jsonb, ${customerId}, 'Heat pump', 'Open', '2500.00', '2500.00')`);
  return { estimateId, customerId };
}

async function estimateCreated(estimateId: number, customerId: number): Promise<void> {
  const eventId = `${h.tenantId}-estimate.created-${estimateId}-1`;
  await h.api.bus.enqueue(
    'workflow.domain-event',
    { tenantId: h.tenantId, eventId, type: 'estimate.created', source: 'servicetitan', subject: { type: 'estimate', id: estimateId }, refs: { customerId }, old: null, new: { status: 'Open' }, occurredAt: new Date().toISOString() },
    { jobId: `evt-${eventId}` },
  );
}

type Message = { id: string; status: string; statusHistory: Array<{ status: string; source: string }> };
const textsTo = async (phone: string): Promise<Message[]> => (await h.api.request(`${base()}/messages?phone=${encodeURIComponent(phone)}`, admin)).body.data;
const setConsent = (phone: string, optedOut: boolean) =>
  h.api.request(`${base()}/consent/${encodeURIComponent(phone)}`, { method: 'PUT', ...admin, body: { optedOut, keyword: 'told the technician' } });

beforeAll(async () => {
  h = await startSmsHarness();
  const logger = createLogger({ name: 'consent-api-test', level: 'silent' });
  const roleDeps = { config: h.api.config, db: h.api.db, bus: h.api.bus, logger };
  // No sms-send consumer: a queued text stays queued unless the consent follow-up cancels it
  // (a send worker would refuse it too, and the test could not tell who did).
  workers.push(
    runWorkers({ role: 'sms', queues: ['sms-inbound'], handlers: smsHandlers(h.deps), bus: h.api.bus, db: h.api.db, connection: h.api.redis.connect('worker'), logger }),
    runWorkers({ role: 'workflows', queues: workflowsRole.queues, handlers: workflowsRole.handlers(roleDeps), bus: h.api.bus, db: h.api.db, connection: h.api.redis.connect('worker'), logger }),
  );
  expect((await h.api.request(`${base()}/workflows`, { method: 'POST', ...admin, body: definition })).status).toBe(201);
  expect((await h.api.request(`${base()}/workflows/${definition.key}/enable`, { method: 'POST', ...admin })).status).toBe(200);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(2_000)));
  await h.stop();
});

describe('PUT …/consent', () => {
  it('an opt-out cancels the number’s queued texts and stops its workflow run, as an inbound STOP does', async () => {
    const phone = '+15127039301';
    const { estimateId, customerId } = await seedEstimate(phone);
    await estimateCreated(estimateId, customerId);
    const run = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-runs?subject=estimate:${estimateId}`, admin);
      return r.body.data[0];
    }, 15_000, 'the run');
    // The run's first text and one an operator queued: both waiting for a send worker.
    const queued = await h.api.request(`${base()}/messages`, { method: 'POST', ...admin, body: { to: phone, body: 'Your technician is on the way' } });
    expect(queued.status).toBe(202);
    await until(async () => (await textsTo(phone)).filter((m) => m.status === 'queued').length === 2, 15_000, 'two queued texts');

    const res = await setConsent(phone, true);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phone, optedOut: true, source: 'api' });

    const cancelled = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-runs/${run.id}`, admin);
      return r.body.status === 'cancelled' ? r.body : undefined;
    }, 15_000, 'run cancelled by the opt-out');
    expect(cancelled.cancelReason).toMatch(/^customer opted out \(sms\.opted_out consent-/);
    const texts = await until(async () => {
      const all = await textsTo(phone);
      return all.every((m) => m.status === 'canceled') ? all : undefined;
    }, 15_000, 'queued texts canceled');
    expect(texts).toHaveLength(2);
    for (const text of texts) expect(text.statusHistory.at(-1)).toMatchObject({ status: 'canceled', source: 'consent' });
    // The follow-up went through the outbox, and the worker cleared its row once done.
    await until(async () => (await h.api.db.select().from(outbox).where(sql`${outbox.jobName} = 'sms.consent-changed'`)).length === 0, 15_000, 'outbox row cleared');
  });

  it('an opt-in reaches the workflows as sms.opted_in', async () => {
    const phone = '+15127039302';
    expect((await setConsent(phone, true)).status).toBe(200);
    expect((await setConsent(phone, false)).status).toBe(200);
    const events = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-events?subject=${encodeURIComponent(`phone:${phone}`)}`, admin);
      return r.body.data.length === 2 ? r.body.data : undefined;
    }, 15_000, 'both consent events');
    expect(events.map((e: { type: string }) => e.type).sort()).toEqual(['sms.opted_in', 'sms.opted_out']);
  });
});
