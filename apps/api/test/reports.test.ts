// GET …/reports/summary over rows as the product writes them: a period's texts, replies,
// opt-outs, reminders, runs, and the estimates sold within 30 days of a follow-up text.
// The other tenant's rows (same shapes, same times) never count.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let a: string;
let b: string;
const FROM = '2030-03-01T00:00:00.000Z';
const TO = '2030-03-08T00:00:00.000Z';
const IN = '2030-03-03T15:00:00Z';
const BEFORE = '2030-02-20T15:00:00Z';

/** One tenant's history: what falls in the period and what falls before it. */
async function seed(tenantId: string): Promise<void> {
  const run = (subject: string, status: string, at: string) => sql`
    insert into workflow_instances (id, tenant_id, definition_id, definition_key, definition_version, subject_type, subject_id, status, started_at)
    select gen_random_uuid(), ${tenantId}, d.id, 'estimate-follow-up', 1, 'estimate', ${subject}, ${status}, ${at}::timestamptz from workflow_definitions d where d.tenant_id = ${tenantId} limit 1
    returning id`;
  await api.db.execute(sql`insert into workflow_definitions (tenant_id, key, version, name, document) values (${tenantId}, 'estimate-follow-up', 1, 'Follow-up', '{}')`);
  // Runs: two started in the period (one completed, one cancelled), one before it.
  const sold = (await api.db.execute<{ id: string }>(run('501', 'completed', IN))).rows[0]!.id;
  const late = (await api.db.execute<{ id: string }>(run('502', 'cancelled', IN))).rows[0]!.id;
  await api.db.execute(run('503', 'completed', BEFORE));
  // Outbound texts in the period: a follow-up for each run (Twilio took them), one delivered manual, one failed, one held, one canceled.
  await api.db.execute(sql`
    insert into messages (tenant_id, direction, "to", "from", body, status, segments, twilio_sid, idempotency_key, created_at) values
      (${tenantId}, 'outbound', '+15125550101', '+15125550000', 'Following up on your estimate', 'delivered', 1, 'SM' || md5(random()::text), ${`wf:${sold}:text-1`}, '2030-03-02T15:00:00Z'),
      (${tenantId}, 'outbound', '+15125550102', '+15125550000', 'Following up on your estimate', 'sent', 2, 'SM' || md5(random()::text), ${`wf:${late}:text-1`}, '2030-03-02T15:00:00Z'),
      (${tenantId}, 'outbound', '+15125550103', '+15125550000', 'Your invoice', 'delivered', 1, 'SM' || md5(random()::text), null, ${IN}),
      (${tenantId}, 'outbound', '+15125550104', '+15125550000', 'Your invoice', 'undelivered', 1, 'SM' || md5(random()::text), null, ${IN}),
      (${tenantId}, 'outbound', '+15125550105', '+15125550000', 'Your invoice', 'unknown', 1, null, null, ${IN}),
      (${tenantId}, 'outbound', '+15125550106', '+15125550000', 'Your invoice', 'canceled', 1, null, null, ${IN}),
      (${tenantId}, 'outbound', '+15125550107', '+15125550000', 'Old news', 'delivered', 1, 'SM' || md5(random()::text), null, ${BEFORE})`);
  // Inbound: two replies, a STOP and a HELP; the office's own text; one reply before the period.
  await api.db.execute(sql`
    insert into messages (tenant_id, direction, "to", "from", body, status, segments, created_at) values
      (${tenantId}, 'inbound', '+15125550000', '+15125550101', 'yes call me', 'received', 1, ${IN}),
      (${tenantId}, 'inbound', '+15125550000', '+15125550103', 'thanks!', 'received', 1, ${IN}),
      (${tenantId}, 'inbound', '+15125550000', '+15125550102', 'STOP', 'received', 1, ${IN}),
      (${tenantId}, 'inbound', '+15125550000', '+15125550104', 'help', 'received', 1, ${IN}),
      (${tenantId}, 'inbound', '+15125550000', '+15125550190', 'calling her now', 'received', 1, ${IN}),
      (${tenantId}, 'inbound', '+15125550000', '+15125550101', 'earlier reply', 'received', 1, ${BEFORE})`);
  await api.db.execute(sql`
    insert into communication_preferences (tenant_id, phone, sms_opt_out, changed_at, keyword, source) values
      (${tenantId}, '+15125550102', true, ${IN}, 'STOP', 'inbound_sms'),
      (${tenantId}, '+15125550108', false, ${IN}, 'START', 'inbound_sms'),
      (${tenantId}, '+15125550109', true, ${BEFORE}, 'STOP', 'inbound_sms')`);
  // Reminders: two sent in the period (one confirmed, one asked to reschedule), one scheduled.
  await api.db.execute(sql`
    with m as (
      insert into messages (tenant_id, direction, "to", "from", body, status, segments, twilio_sid, created_at)
      select ${tenantId}, 'outbound', '+1512555020' || i, '+15125550000', 'Reminder', 'delivered', 1, 'SM' || md5(random()::text), ${IN}::timestamptz from generate_series(1, 2) i
      returning id, "to")
    insert into reminders (tenant_id, appointment_id, offset_minutes, appointment_start, due_at, status, phone, message_id, confirmed_at, reschedule_requested_at)
    select ${tenantId}, 9000 + row_number() over (), 60, '2030-03-05T15:00:00Z', ${IN}, 'sent', m."to", m.id,
      case when m."to" like '%1' then ${IN}::timestamptz end, case when m."to" like '%2' then ${IN}::timestamptz end from m`);
  await api.db.execute(sql`insert into reminders (tenant_id, appointment_id, offset_minutes, appointment_start, due_at, status, phone) values (${tenantId}, 9100, 60, '2030-03-20T15:00:00Z', '2030-03-20T14:00:00Z', 'scheduled', '+15125550300')`);
  // Estimates: 501 sold 3 days after its follow-up text (counts), 502 sold 40 days after (too late), 504 sold without any follow-up.
  await api.db.execute(sql`
    insert into st_estimates (tenant_id, id, active, modified_on, raw, status, subtotal, tax, total, sold_on) values
      (${tenantId}, 501, true, now(), '{}', 'Sold', 2300.00, 200.00, 2500.00, '2030-03-05T15:00:00Z'),
      (${tenantId}, 502, true, now(), '{}', 'Sold', 1800.00, 0, 1800.00, '2030-04-11T15:00:00Z'),
      (${tenantId}, 504, true, now(), '{}', 'Sold', 900.00, 0, 900.00, '2030-03-05T15:00:00Z')`);
}

beforeAll(async () => {
  api = await startTestApi();
  a = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: { ...tenantInput('Report HVAC'), alerts: { replyTo: ['+15125550190'] } } })).body.id;
  b = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: tenantInput('Report Plumbing') })).body.id;
  await seed(a);
  await seed(b);
}, 60_000);
afterAll(() => api.stop());

const summary = (tenantId: string, query: string) => api.request(`/api/v1/tenants/${tenantId}/reports/summary?${query}`, { key: ADMIN_KEY });

describe('GET …/reports/summary', () => {
  it("counts the period's texts, replies, opt-outs, reminders and runs, and the sales the follow-ups earned", async () => {
    const res = await summary(a, `from=${FROM}&to=${TO}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      tenantId: a,
      from: FROM,
      to: TO,
      texts: { created: 8, sent: 6, delivered: 4, failed: 1, held: 1, canceled: 1, segments: 7 },
      replies: 2,
      keywords: 2,
      optOuts: 1,
      optIns: 1,
      reminders: { sent: 2, confirmed: 1, rescheduleRequested: 1 },
      workflowRuns: { started: 2, active: 0, completed: 1, cancelled: 1, failed: 0 },
      followUpSales: { estimates: 1, total: '2500.00' },
    });
  });

  it("a tenant without office numbers counts its office's text as a reply; the other tenant's rows never count", async () => {
    const res = await summary(b, `from=${FROM}&to=${TO}`);
    expect(res.body).toMatchObject({ replies: 3, keywords: 2, texts: { created: 8 }, followUpSales: { estimates: 1, total: '2500.00' } });
  });

  it('defaults to the last 7 days, and refuses a reversed or too long period with 400', async () => {
    const recent = await summary(a, '');
    expect(recent.status).toBe(200);
    expect(Date.parse(recent.body.to) - Date.parse(recent.body.from)).toBe(7 * 24 * 3600 * 1000);
    expect(recent.body.texts.created).toBe(0);
    expectErrorBody(await summary(a, `from=${TO}&to=${FROM}`), 400, 'validation_failed');
    expectErrorBody(await summary(a, `from=2020-01-01T00:00:00Z&to=${TO}`), 400, 'validation_failed');
    expectErrorBody(await summary(a, 'from=yesterday'), 400, 'validation_failed');
  });
});
