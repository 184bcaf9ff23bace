import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fieldhand/observability';
import { runWorkers, type RunningWorkers } from '@fieldhand/queues';
import { workflowsRole } from '../../workers/src/workflows/role.js';
import { ADMIN_KEY, expectErrorBody } from './support/test-api.js';
import { postJson, SENDER, sandboxMessages, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
let workflows: RunningWorkers;
const admin = { key: ADMIN_KEY };
const base = () => `/api/v1/tenants/${h.tenantId}`;
let nextId = 50_000;

// A follow-up like the shipped one, with seconds for days.
const followUp = (name = 'Quick follow-up') => ({
  key: 'quick-follow-up',
  name,
  trigger: { event: 'estimate.created', conditions: [{ field: 'estimateStatus', op: 'eq', value: 'Open' }, { field: 'estimateSubtotal', op: 'gte', value: 1000 }] },
  reentry: { policy: 'once' },
  stopWhen: [
    { event: 'estimate.status_changed', match: 'subject', conditions: [{ field: 'estimateStatus', op: 'in', value: ['Sold', 'Dismissed'] }], reason: 'estimate sold or dismissed' },
    { event: 'sms.replied', match: 'phone', reason: 'customer replied' },
    { event: 'sms.opted_out', match: 'phone', reason: 'customer opted out' },
  ],
  start: 'text-1',
  steps: [
    { id: 'text-1', type: 'send_sms', template: 'Hi {{firstName}}, this is {{companyName}} about your estimate.', next: 'wait-1' },
    { id: 'wait-1', type: 'wait', duration: 'PT6S', next: 'text-2' },
    { id: 'text-2', type: 'send_sms', template: 'Hi {{firstName}}, any questions?', next: 'done' },
    { id: 'done', type: 'end' },
  ],
});

/** A customer with a mobile number and an estimate, as the sync would have stored them. */
async function seedEstimate(subtotal: number, phone: string): Promise<{ estimateId: number; customerId: number }> {
  const db = h.api.db;
  const customerId = ++nextId;
  const estimateId = ++nextId;
  await db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) values (${h.tenantId}, ${customerId}, true, now(), '{}'::jsonb, 'Pat Jones')`);
  await db.execute(sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) values (${h.tenantId}, ${++nextId}, true, now(), '{}'::jsonb, ${customerId}, 'MobilePhone', ${phone}, ${phone})`);
  await db.execute(sql`insert into st_estimates (tenant_id, id, active, modified_on, raw, customer_id, name, status, subtotal, total) values (${h.tenantId}, ${estimateId}, true, now(), '{}'::jsonb, ${customerId}, 'Heat pump', 'Open', ${subtotal.toFixed(2)}, ${subtotal.toFixed(2)})`);
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

async function runOf(estimateId: number) {
  const res = await until(async () => {
    const r = await h.api.request(`${base()}/workflow-runs?subject=estimate:${estimateId}`, admin);
    return r.body.data.length > 0 ? r : undefined;
  }, 15_000, `run for estimate ${estimateId}`);
  return res.body.data[0];
}

const textsAt = async (phone: string) => (await sandboxMessages(h.sandbox)).filter((m) => m.to === phone);

beforeAll(async () => {
  h = await startSmsHarness();
  h.startWorker();
  const logger = createLogger({ name: 'workflows-test', level: 'silent' });
  workflows = runWorkers({
    role: 'workflows',
    queues: workflowsRole.queues,
    handlers: workflowsRole.handlers({ config: h.api.config, db: h.api.db, bus: h.api.bus, logger }),
    bus: h.api.bus,
    db: h.api.db,
    connection: h.api.redis.connect('worker'),
    logger,
  });
});
afterAll(async () => {
  await workflows.close(2_000);
  await h.stop();
});

describe('workflow definitions', () => {
  it('lists the shipped workflows, disabled, for every tenant', async () => {
    const res = await h.api.request(`${base()}/workflows`, admin);
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { key: string; enabled: boolean; shipped: boolean }) => [d.key, d.enabled, d.shipped])).toEqual([
      ['estimate-follow-up', false, true],
      ['estimate-follow-up-demo', false, true],
      ['review-request', false, true],
      ['review-request-demo', false, true],
    ]);
  });

  it('rejects an invalid definition with a 400 listing every problem', async () => {
    const bad = followUp();
    bad.steps[0] = { id: 'text-1', type: 'send_sms', template: 'Hi {{frstName}}', next: 'done' };
    const res = await h.api.request(`${base()}/workflows`, { method: 'POST', ...admin, body: { ...bad, colour: 'red' } });
    expectErrorBody(res, 400, 'validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ message: expect.stringMatching(/colour/) })]);
    const res2 = await h.api.request(`${base()}/workflows`, { method: 'POST', ...admin, body: bad });
    const messages = res2.body.error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^steps\.0\.template: unknown template variable \{\{frstName\}\}/));
    expect(messages).toContainEqual(expect.stringMatching(/wait-1 is unreachable/));
  });

  it('saves new versions, enables a key, and dry-runs it against a subject', async () => {
    const v1 = await h.api.request(`${base()}/workflows`, { method: 'POST', ...admin, body: followUp() });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ key: 'quick-follow-up', version: 1, enabled: false });
    const v2 = await h.api.request(`${base()}/workflows`, { method: 'POST', ...admin, body: followUp('Quick follow-up v2') });
    expect(v2.body.version).toBe(2);
    const enabled = await h.api.request(`${base()}/workflows/quick-follow-up/enable`, { method: 'POST', ...admin });
    expect(enabled.body).toMatchObject({ version: 2, enabled: true });
    const got = await h.api.request(`${base()}/workflows/quick-follow-up`, admin);
    expect(got.body).toMatchObject({ version: 2, versions: [2, 1], enabled: true });
    expect((await h.api.request(`${base()}/workflows/quick-follow-up?version=1`, admin)).body.name).toBe('Quick follow-up');
    expectErrorBody(await h.api.request(`${base()}/workflows/nope`, admin), 404, 'workflow_not_found');

    const small = await seedEstimate(400, '+15127039001');
    const no = await h.api.request(`${base()}/workflows/quick-follow-up/dry-run`, { method: 'POST', ...admin, body: { subjectId: small.estimateId } });
    expect(no.body).toMatchObject({ wouldTrigger: false, failed: { field: 'estimateSubtotal', op: 'gte', expected: 1000, actual: 400 }, timeline: expect.any(Array) });
    const big = await seedEstimate(1500, '+15127039002');
    const yes = await h.api.request(`${base()}/workflows/quick-follow-up/dry-run`, { method: 'POST', ...admin, body: { subjectId: String(big.estimateId) } });
    expect(yes.body.wouldTrigger).toBe(true);
    expect(yes.body.timeline.map((s: { stepId: string }) => s.stepId)).toEqual(['text-1', 'wait-1', 'text-2', 'done']);
    expect(yes.body.timeline[0].text).toBe('Hi Pat, this is Acme HVAC about your estimate.');
    expect(Date.parse(yes.body.timeline[2].at) - Date.parse(yes.body.timeline[1].at)).toBe(6_000);
  });
});

describe('runs against the sandbox', () => {
  it('texts the customer, and a reply through Twilio stops the run before its next text', async () => {
    const phone = '+15127039101';
    const { estimateId, customerId } = await seedEstimate(2500, phone);
    await estimateCreated(estimateId, customerId);
    const run = await runOf(estimateId);
    expect(run).toMatchObject({ definitionKey: 'quick-follow-up', definitionVersion: 2, status: 'active', phone });
    await until(async () => (await textsAt(phone)).length === 1, 15_000, 'first text at the sandbox');

    const reply = await postJson(`${h.sandbox.url}/_sandbox/twilio/inbound`, { from: phone, to: SENDER, body: 'Can you do Tuesday?' });
    expect(reply.status).toBe(201);
    const cancelled = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-runs/${run.id}`, admin);
      return r.body.status === 'cancelled' ? r.body : undefined;
    }, 15_000, 'run cancelled by the reply');
    expect(cancelled.cancelReason).toMatch(/^customer replied/);
    expect(cancelled.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status])).toEqual([
      ['text-1', 'completed'],
      ['wait-1', 'completed'],
      ['text-2', 'cancelled'],
    ]);
    await new Promise((r) => setTimeout(r, 6_500));
    expect(await textsAt(phone)).toHaveLength(1);
  });

  it('a STOP reply stops the run as an opt-out', async () => {
    const phone = '+15127039102';
    const { estimateId, customerId } = await seedEstimate(3000, phone);
    await estimateCreated(estimateId, customerId);
    const run = await runOf(estimateId);
    await until(async () => (await textsAt(phone)).length === 1, 15_000, 'first text at the sandbox');
    await postJson(`${h.sandbox.url}/_sandbox/twilio/inbound`, { from: phone, to: SENDER, body: 'STOP' });
    const cancelled = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-runs/${run.id}`, admin);
      return r.body.status === 'cancelled' ? r.body : undefined;
    }, 15_000, 'run cancelled by STOP');
    expect(cancelled.cancelReason).toMatch(/^customer opted out/);
  });

  it('a Twilio 21610 on the first text stops the run at once, not at its next send', async () => {
    // The sandbox answers 21610 (unsubscribed) for this number: the customer texted STOP somewhere we never saw.
    const phone = '+15005550004';
    const { estimateId, customerId } = await seedEstimate(2000, phone);
    await estimateCreated(estimateId, customerId);
    const run = await runOf(estimateId);
    const cancelled = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-runs/${run.id}`, admin);
      return r.body.status === 'cancelled' ? r.body : undefined;
    }, 15_000, 'run cancelled after the 21610');
    // The stop came from the sms.opted_out event, not from text-2 finding the opt-out 6 s later.
    expect(cancelled.cancelReason).toMatch(/^customer opted out \(sms\.opted_out sms-21610:/);
    // text-2 never ran: either it was never scheduled (the stop beat wait-1) or it was cancelled unstarted.
    const text2 = cancelled.steps.find((s: { stepId: string }) => s.stepId === 'text-2');
    if (text2) expect(text2).toMatchObject({ status: 'cancelled', startedAt: null });
  });

  it('explains through the API why an estimate started no run', async () => {
    const { estimateId, customerId } = await seedEstimate(999.99, '+15127039103');
    await estimateCreated(estimateId, customerId);
    const res = await until(async () => {
      const r = await h.api.request(`${base()}/workflow-events?subject=estimate:${estimateId}`, admin);
      return r.body.data.length > 0 ? r : undefined;
    }, 15_000, 'evaluated event');
    expect(res.body.data[0]).toMatchObject({ type: 'estimate.created', subject: { type: 'estimate', id: String(estimateId) } });
    expect(res.body.data[0].evaluations).toEqual([
      { definitionKey: 'quick-follow-up', version: 2, matched: false, subjectFound: true, failed: { where: 'trigger', field: 'estimateSubtotal', op: 'gte', expected: 1000, actual: 999.99 } },
    ]);
  });

  it('lists runs with filters and cursors, cancels one, and replays it as a linked run', async () => {
    const phone = '+15127039104';
    const { estimateId, customerId } = await seedEstimate(5000, phone);
    await estimateCreated(estimateId, customerId);
    const run = await runOf(estimateId);
    await until(async () => (await textsAt(phone)).length === 1, 15_000, 'first text');

    const cancel = await h.api.request(`${base()}/workflow-runs/${run.id}/cancel`, { method: 'POST', ...admin, body: { reason: 'customer called in' } });
    expect(cancel.body).toMatchObject({ status: 'cancelled', cancelReason: 'customer called in' });
    expectErrorBody(await h.api.request(`${base()}/workflow-runs/${run.id}/cancel`, { method: 'POST', ...admin, body: {} }), 409, 'workflow_run_not_active');

    const replay = await h.api.request(`${base()}/workflow-runs/${run.id}/replay`, { method: 'POST', ...admin, body: { step: 'text-2' } });
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ replayOf: run.id, replayFromStep: 'text-2', status: 'active' });
    await until(async () => (await textsAt(phone)).length === 2, 15_000, 'replayed text');
    expectErrorBody(await h.api.request(`${base()}/workflow-runs/${run.id}/replay`, { method: 'POST', ...admin, body: { step: 'nope' } }), 400);

    const cancelled = await h.api.request(`${base()}/workflow-runs?status=cancelled&limit=1`, admin);
    expect(cancelled.body.data).toHaveLength(1);
    expect(cancelled.body.nextCursor).toEqual(expect.any(String));
    const next = await h.api.request(`${base()}/workflow-runs?status=cancelled&limit=1&cursor=${cancelled.body.nextCursor}`, admin);
    expect(next.body.data[0].id).not.toBe(cancelled.body.data[0].id);
    const byPhone = await h.api.request(`${base()}/workflow-runs?phone=${encodeURIComponent(phone)}`, admin);
    expect(byPhone.body.data.map((r: { id: string }) => r.id).sort()).toEqual([run.id, replay.body.id].sort());
  });
});
