// The follow-up workflow end to end with real processes: estimates created in
// the sandbox's ServiceTitan are synced by the compiled sync worker, start runs
// in the workflows worker, and text the customer through the sms worker and
// the sandbox's Twilio; a sale, a STOP and a plain reply each end a run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { areaCodeOf } from '@fieldhand/phone';
import { stateOfAreaCode } from '@fieldhand/sms';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox } from '@fieldhand/sandbox';
import { allowTextingAtAnyHour, apiCaller, pm2, startPm2System, waitFor, type Json } from './helpers.js';

const adminKey = 'e2e-workflows-admin-key-0123456789';
const SENDER = '+17372004066';
const ACCOUNT_SID = `AC${'4'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-workflows-auth-token-0123456789';
const WAIT_SECONDS = 6;

let t: TestDatabase;
let redis: TestRedis;
let running: RunningSandbox;
let stTenant: number;
let pm2Home: string;
let api: string;
let tenantId: string;

const call = apiCaller(() => api, adminKey);

async function sandboxControl(path: string, body: unknown): Promise<Json> {
  const res = await fetch(`${running.url}/_sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Json;
}

/** What the phone page shows for one number: texts to it and its replies. */
async function conversation(phone: string): Promise<Array<{ direction: string; body: string }>> {
  const all = (await (await fetch(`${running.url}/_sandbox/phone/conversations`)).json()) as Array<{ phone: string; messages: Array<{ direction: string; body: string }> }>;
  return all.find((c) => c.phone === phone)?.messages ?? [];
}
// Our follow-ups, not Twilio's own STOP auto-reply, which the phone page also shows.
const textsTo = async (phone: string) => (await conversation(phone)).filter((m) => m.direction === 'to-customer' && m.body.includes('estimate'));

// FL, OK and MD stop texting at 20:00 local time: customers there would make the test depend on the clock.
const CUT_OFF_STATES = new Set(['FL', 'OK', 'MD']);
let candidateJobs: number[] = [];

/** Jobs of distinct customers whose address and every phone are outside the early cut-off states. */
async function jobsTextableAtAnyHour(): Promise<number[]> {
  const { rows } = await t.db.execute<{ job_id: string; customer_id: string; state: string | null; phone: string | null }>(sql`
    select j.id as job_id, j.customer_id, l.state, c.phone
    from st_jobs j
    join st_locations l on l.tenant_id = j.tenant_id and l.id = j.location_id
    left join st_customer_contacts c on c.tenant_id = j.tenant_id and c.customer_id = j.customer_id and c.phone is not null
    where j.tenant_id = ${tenantId} order by j.id`);
  const byJob = new Map<string, { customer: string; ok: boolean; phones: number }>();
  for (const r of rows) {
    const entry = byJob.get(r.job_id) ?? { customer: r.customer_id, ok: true, phones: 0 };
    if (r.state && CUT_OFF_STATES.has(r.state)) entry.ok = false;
    if (r.phone) {
      entry.phones++;
      const state = stateOfAreaCode(areaCodeOf(r.phone) ?? '');
      if (state && CUT_OFF_STATES.has(state)) entry.ok = false;
    }
    byJob.set(r.job_id, entry);
  }
  const seen = new Set<string>();
  return [...byJob.entries()]
    .filter(([, e]) => e.ok && e.phones > 0 && !seen.has(e.customer) && seen.add(e.customer))
    .map(([job]) => Number(job));
}

async function syncEstimates(): Promise<void> {
  const before = Date.now();
  expect((await call(`/tenants/${tenantId}/sync`, 'POST', { source: 'servicetitan', modules: ['estimates'] })).status).toBe(202);
  await waitFor(async () => {
    const status = (await call(`/tenants/${tenantId}/sync`)).body.modules as Array<{ module: string; state: string; lastSuccessAt: string | null }>;
    const estimates = status.find((m) => m.module === 'estimates')!;
    return estimates.state === 'idle' && estimates.lastSuccessAt && Date.parse(estimates.lastSuccessAt) >= before - 1_000 ? true : undefined;
  }, 30_000, 'the estimates sync');
}

type Run = { id: string; status: string; phone: string | null; cancelReason: string | null };
async function runFor(estimateId: number, status?: string): Promise<Run> {
  return waitFor(async () => {
    const runs = (await call(`/tenants/${tenantId}/workflow-runs?subject=estimate:${estimateId}`)).body.data as Run[];
    return runs.find((r) => !status || r.status === status);
  }, 30_000, `a ${status ?? 'new'} run for estimate ${estimateId}`).catch(async (err: Error) => {
    // Say why, as an operator would find out.
    const why = await call(`/tenants/${tenantId}/workflow-events?subject=estimate:${estimateId}`);
    throw new Error(`${err.message}; workflow-events: ${JSON.stringify(why.body)}`);
  });
}

/** Creates an estimate worth $2,500 on the n-th textable job, syncs it, waits for its first text. */
async function openEstimate(n: number): Promise<{ estimateId: number; phone: string }> {
  const jobId = candidateJobs[n];
  if (jobId === undefined) throw new Error(`only ${candidateJobs.length} customers can be texted at any hour in this dataset`);
  const estimate = (await sandboxControl(`/servicetitan/${stTenant}/estimates`, { jobId, name: 'Heat pump', items: [{ description: 'Heat pump install', unitRate: 2500 }] })) as { id: number };
  await syncEstimates();
  const run = await runFor(estimate.id);
  expect(run.phone).toMatch(/^\+1\d{10}$/);
  await waitFor(async () => ((await textsTo(run.phone!)).length === 1 ? true : undefined), 30_000, 'the first text at the phone page');
  return { estimateId: estimate.id, phone: run.phone! };
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  running = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 50 }).listen(0);
  ({ pm2Home, api } = await startPm2System({
    databaseUrl: t.url,
    redisUrl: redis.url,
    prefix: redis.prefix,
    adminKey,
    env: { ...running.env, SMS_SEGMENTS_PER_SECOND: '0' },
  }));
  const account = await sandboxControl('/accounts', {
    seed: 5,
    size: 40,
    twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: `${api}/webhooks/twilio/sms` }] },
  });
  const st = account.servicetitan as { tenantId: number; clientId: string; clientSecret: string; appKey: string };
  stTenant = st.tenantId;
  const tenant = await call('/tenants', 'POST', {
    name: 'E2E Workflows HVAC',
    timezone: 'America/Chicago',
    servicetitan: { tenantId: String(st.tenantId), clientId: st.clientId, clientSecret: st.clientSecret, appKey: st.appKey },
    twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
  });
  expect(tenant.status).toBe(201);
  tenantId = tenant.body.id as string;
  await allowTextingAtAnyHour(t.db, tenantId);

  // The first sync is a backfill: it starts nothing.
  expect((await call(`/tenants/${tenantId}/sync`, 'POST', { source: 'servicetitan', full: true })).status).toBe(202);
  await waitFor(async () => {
    const modules = (await call(`/tenants/${tenantId}/sync`)).body.modules as Array<{ state: string; lastSuccessAt: string | null }>;
    return modules.every((m) => m.state === 'idle' && m.lastSuccessAt) ? true : undefined;
  }, 60_000, 'the first full sync');
  candidateJobs = await jobsTextableAtAnyHour();

  const saved = await call(`/tenants/${tenantId}/workflows`, 'POST', {
    key: 'e2e-follow-up',
    name: 'Estimate follow-up (seconds)',
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
      { id: 'wait-1', type: 'wait', duration: `PT${WAIT_SECONDS}S`, next: 'text-2' },
      { id: 'text-2', type: 'send_sms', template: 'Hi {{firstName}}, any questions about the estimate?', next: 'done' },
      { id: 'done', type: 'end' },
    ],
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  expect((await call(`/tenants/${tenantId}/workflows/e2e-follow-up/enable`, 'POST')).status).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

const pastTheWait = () => new Promise((r) => setTimeout(r, (WAIT_SECONDS + 3) * 1000));

describe('estimate follow-up under PM2', () => {
  it('texts a new $2,500 estimate, and stops with a reason and no further text once it is sold', async () => {
    const { estimateId, phone } = await openEstimate(0);
    await sandboxControl(`/servicetitan/${stTenant}/estimates/${estimateId}/sell`, {});
    await syncEstimates();
    const run = await runFor(estimateId, 'cancelled');
    expect(run.cancelReason).toContain('estimate sold or dismissed');
    await pastTheWait();
    expect(await textsTo(phone)).toHaveLength(1);
  }, 90_000);

  it('stops a run when the customer texts STOP', async () => {
    const { estimateId, phone } = await openEstimate(1);
    await sandboxControl('/twilio/inbound', { from: phone, to: SENDER, body: 'STOP' });
    const run = await runFor(estimateId, 'cancelled');
    expect(run.cancelReason).toContain('opted out');
    await pastTheWait();
    expect(await textsTo(phone)).toHaveLength(1);
  }, 90_000);

  it('stops a run when the customer replies anything', async () => {
    const { estimateId, phone } = await openEstimate(2);
    await sandboxControl('/twilio/inbound', { from: phone, to: SENDER, body: 'Thanks, still thinking about it' });
    const run = await runFor(estimateId, 'cancelled');
    expect(run.cancelReason).toContain('customer replied');
    await pastTheWait();
    expect(await textsTo(phone)).toHaveLength(1);
  }, 90_000);

  it('sends both texts when nothing stops the run', async () => {
    const { estimateId, phone } = await openEstimate(3);
    await runFor(estimateId, 'completed');
    expect(await textsTo(phone)).toHaveLength(2);
  }, 90_000);
});
