// Appointment reminders end to end with real processes: appointments booked,
// moved and canceled in the sandbox's ServiceTitan are synced by the compiled
// sync worker, planned and fired by the reminders worker, texted by the sms
// worker through the sandbox's Twilio, and a "C" reply confirms the visit back
// in ServiceTitan once. The four scenarios run at once, on four customers.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { areaCodeOf } from '@fieldhand/phone';
import { stateOfAreaCode } from '@fieldhand/sms';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox } from '@fieldhand/sandbox';
import { allowTextingAtAnyHour, apiCaller, pm2, startPm2System, waitFor, type Json } from './helpers.js';

const adminKey = 'e2e-reminders-admin-key-0123456789';
const SENDER = '+17372004088';
const ACCOUNT_SID = `AC${'8'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-reminders-auth-token-0123456789';
// Reminders go this long before the visit; a visit booked OFFSET + LEAD ahead is due LEAD after booking.
const OFFSET_MINUTES = 4;
const LEAD_MS = 75_000;
// How far from its due time a text may reach Twilio.
const ON_TIME_MS = 45_000;
const REMINDER_TEXT = 'a reminder of your appointment';

let t: TestDatabase;
let redis: TestRedis;
let running: RunningSandbox;
let stTenant: number;
let pm2Home: string;
let api: string;
let tenantId: string;

const call = apiCaller(() => api, adminKey);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sandbox(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${running.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Json;
}

type SandboxText = { sid: string; from: string; to: string; body: string; direction: string; date_created: string };
/** The texts the sandbox's Twilio accepted from our number to one phone (our sends, not inbound or Twilio's auto-replies). */
async function textsTo(phone: string, containing = REMINDER_TEXT): Promise<SandboxText[]> {
  const all = (await (await fetch(`${running.url}/_sandbox/twilio/messages`)).json()) as SandboxText[];
  return all.filter((m) => m.from === SENDER && m.to === phone && m.direction === 'outbound-api' && m.body.includes(containing));
}

type Reminder = { id: string; appointmentId: number; offsetMinutes: number; appointmentStart: string; dueAt: string; status: string; reason: string | null; messageId: string | null; confirmedAt: string | null };
async function remindersOf(appointmentId: number): Promise<Reminder[]> {
  const res = await call(`/tenants/${tenantId}/reminders?appointmentId=${appointmentId}`);
  if (res.status !== 200) throw new Error(`reminders: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Reminder[];
}

/** The one reminder of an appointment for a start, once it has the status wanted. */
async function reminderFor(appointmentId: number, startMs: number, status: string, timeoutMs = 30_000): Promise<Reminder> {
  return waitFor(async () => (await remindersOf(appointmentId)).find((r) => Date.parse(r.appointmentStart) === startMs && r.status === status), timeoutMs, `a ${status} reminder of appointment ${appointmentId}`).catch(async (err: Error) => {
    throw new Error(`${err.message}; reminders: ${JSON.stringify(await remindersOf(appointmentId))}`);
  });
}

/** The reminder texts in the SMS ledger for an appointment (key reminder:<appointment>:<offset>:<start>). */
async function ledgerTexts(appointmentId: number): Promise<Array<{ id: string; to: string; idempotency_key: string }>> {
  const { rows } = await t.db.execute<{ id: string; to: string; idempotency_key: string }>(
    sql`select id, "to", idempotency_key from messages where tenant_id = ${tenantId} and idempotency_key like ${`reminder:${appointmentId}:%`}`,
  );
  return rows;
}

async function recipientOf(appointmentId: number): Promise<string> {
  const { rows } = await t.db.execute<{ phone: string | null }>(sql`select phone from reminders where tenant_id = ${tenantId} and appointment_id = ${appointmentId} limit 1`);
  const phone = rows[0]?.phone;
  if (!phone) throw new Error(`appointment ${appointmentId} has no reminder recipient`);
  return phone;
}

type SyncModule = { module: string; state: string; lastStartedAt: string | null; lastSuccessAt: string | null; lastError: string | null };
/**
 * Until a pass of the appointments module that started after `sinceMs` has finished:
 * the scenarios run at once, and a pass already running when a change was made may
 * have read past it, so a pass that began before is not enough.
 */
async function syncAppointmentsSince(sinceMs: number): Promise<void> {
  let askedAt = 0;
  await waitFor(async () => {
    const modules = (await call(`/tenants/${tenantId}/sync?source=servicetitan`)).body.modules as SyncModule[];
    const m = modules.find((x) => x.module === 'appointments')!;
    const started = m.lastStartedAt ? Date.parse(m.lastStartedAt) : 0;
    if (m.state === 'idle' && started >= sinceMs && m.lastSuccessAt && Date.parse(m.lastSuccessAt) >= started) return true;
    if (m.state === 'idle' && Date.now() - askedAt > 2_000) {
      askedAt = Date.now();
      const res = await call(`/tenants/${tenantId}/sync`, 'POST', { source: 'servicetitan', modules: ['appointments'] });
      if (res.status !== 202) throw new Error(`sync: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return undefined;
  }, 30_000, 'an appointments sync pass after the change');
}

// FL, OK and MD stop texting at 20:00 local time: customers there would make the test depend on the clock.
const CUT_OFF_STATES = new Set(['FL', 'OK', 'MD']);
const cutOff = (phone: string) => CUT_OFF_STATES.has(stateOfAreaCode(areaCodeOf(phone) ?? '') ?? '');

/**
 * Jobs (not canceled) of distinct customers with no other visit coming up, a mobile that
 * may be texted, and an address and every phone outside the early cut-off states: a
 * reminder to them goes at any hour (with allowTextingAtAnyHour), and no other
 * appointment's reminder or answer shares their number.
 */
async function jobsTextableAtAnyHour(): Promise<number[]> {
  const { rows } = await t.db.execute<{ job_id: string; customer_id: string; state: string | null; phones: string[]; mobiles: number; upcoming: boolean }>(sql`
    select j.id as job_id, j.customer_id, l.state,
      array(select lc.phone from st_location_contacts lc where lc.tenant_id = j.tenant_id and lc.location_id = j.location_id and lc.phone is not null
            union all
            select cc.phone from st_customer_contacts cc where cc.tenant_id = j.tenant_id and cc.customer_id = j.customer_id and cc.phone is not null) as phones,
      (select count(*) from st_location_contacts lc where lc.tenant_id = j.tenant_id and lc.location_id = j.location_id and lc.type = 'MobilePhone' and lc.active and not lc.do_not_text and lc.phone is not null)
      + (select count(*) from st_customer_contacts cc where cc.tenant_id = j.tenant_id and cc.customer_id = j.customer_id and cc.type = 'MobilePhone' and cc.active and not cc.do_not_text and cc.phone is not null) as mobiles,
      exists(select 1 from st_appointments a join st_jobs aj on aj.tenant_id = a.tenant_id and aj.id = a.job_id
             where a.tenant_id = j.tenant_id and (a.customer_id = j.customer_id or aj.location_id = j.location_id) and a.starts_at > now() - interval '1 hour') as upcoming
    from st_jobs j
    join st_locations l on l.tenant_id = j.tenant_id and l.id = j.location_id
    where j.tenant_id = ${tenantId} and j.active and coalesce(j.job_status, '') <> 'Canceled'
    order by j.id`);
  const customers = new Set<string>();
  const phones = new Set<string>();
  const jobs: number[] = [];
  for (const r of rows) {
    if (Number(r.mobiles) === 0 || r.upcoming || customers.has(r.customer_id)) continue;
    if ((r.state && CUT_OFF_STATES.has(r.state)) || r.phones.some(cutOff) || r.phones.some((p) => phones.has(p))) continue;
    customers.add(r.customer_id);
    for (const p of r.phones) phones.add(p);
    jobs.push(Number(r.job_id));
  }
  return jobs;
}
let candidateJobs: number[] = [];

type Visit = { appointmentId: number; startMs: number; dueMs: number };
/** Books a visit on the n-th textable job, due LEAD_MS from now, and waits for a sync pass to plan its reminder. */
async function bookVisit(n: number, expect: ExpectStatic): Promise<Visit & { reminder: Reminder }> {
  const jobId = candidateJobs[n];
  if (jobId === undefined) throw new Error(`only ${candidateJobs.length} customers can be texted at any hour in this dataset`);
  const bookedAt = Date.now();
  const startMs = Math.ceil((bookedAt + OFFSET_MINUTES * 60_000 + LEAD_MS) / 1000) * 1000;
  const appointment = await sandbox('POST', `/servicetitan/${stTenant}/appointments`, { jobId, startsAt: new Date(startMs).toISOString() });
  const appointmentId = Number(appointment.id);
  await syncAppointmentsSince(bookedAt);
  const reminder = await reminderFor(appointmentId, startMs, 'scheduled');
  const dueMs = startMs - OFFSET_MINUTES * 60_000;
  expect(reminder.offsetMinutes).toBe(OFFSET_MINUTES);
  // Planned before its due time, it goes then (not at once, not moved).
  expect(Date.parse(reminder.dueAt)).toBe(dueMs);
  expect(dueMs - Date.now(), 'the sync planned it well before it was due').toBeGreaterThan(15_000);
  return { appointmentId, startMs, dueMs, reminder };
}

/** Waits for the reminder text at the sandbox and checks it came within ON_TIME_MS of its due time. */
async function expectTextedOnTime(phone: string, dueMs: number, expect: ExpectStatic): Promise<SandboxText> {
  const [text] = await waitFor(async () => {
    const texts = await textsTo(phone);
    return texts.length > 0 ? texts : undefined;
  }, dueMs - Date.now() + ON_TIME_MS + 15_000, `the reminder text to ${phone}`);
  const at = Date.parse(text!.date_created);
  expect(Math.abs(at - dueMs), `texted at ${text!.date_created}, due ${new Date(dueMs).toISOString()}`).toBeLessThanOrEqual(ON_TIME_MS);
  expect(text!.body).toContain('Reply C to confirm');
  console.info(`reminder to ${phone} reached Twilio ${((at - dueMs) / 1000).toFixed(0)} s from its due time`);
  return text!;
}

/** Twilio's X-Twilio-Signature: base64 HMAC-SHA1 over the URL and every parameter, sorted by name. */
function twilioSignature(url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', AUTH_TOKEN).update(data, 'utf8').digest('base64');
}

/** POSTs an inbound webhook again, as Twilio does when it retries: same MessageSid, freshly signed. */
async function replayInbound(sid: string, from: string, body: string): Promise<number> {
  const url = `${api}/webhooks/twilio/sms`;
  const params: Record<string, string> = {
    ToCountry: 'US', ToState: '', SmsMessageSid: sid, NumMedia: '0', ToCity: '', FromZip: '', SmsSid: sid, FromState: '', SmsStatus: 'received', FromCity: '',
    Body: body, FromCountry: 'US', To: SENDER, ToZip: '', NumSegments: '1', MessageSid: sid, AccountSid: ACCOUNT_SID, From: from, ApiVersion: '2010-04-01',
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-twilio-signature': twilioSignature(url, params) },
    body: new URLSearchParams(params).toString(),
  });
  await res.text();
  return res.status;
}

type ConfirmationCall = { appointmentId: number; method: string; atMs: number; outcome: string };
const confirmations = async (appointmentId: number) => ((await sandbox('GET', `/servicetitan/${stTenant}/appointments/${appointmentId}/confirmations`)) as { calls: ConfirmationCall[] }).calls;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  running = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 50 }).listen(0);
  ({ pm2Home, api } = await startPm2System({
    databaseUrl: t.url,
    redisUrl: redis.url,
    prefix: redis.prefix,
    adminKey,
    env: { ...running.env, SMS_SEGMENTS_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '100000' },
  }));
  const account = await sandbox('POST', '/accounts', {
    seed: 7,
    size: 40,
    twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: `${api}/webhooks/twilio/sms` }] },
  });
  const st = account.servicetitan as { tenantId: number; clientId: string; clientSecret: string; appKey: string };
  stTenant = st.tenantId;
  const tenant = await call('/tenants', 'POST', {
    name: 'E2E Reminders HVAC',
    timezone: 'America/Chicago',
    servicetitan: { tenantId: String(st.tenantId), clientId: st.clientId, clientSecret: st.clientSecret, appKey: st.appKey },
    twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
  });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  tenantId = tenant.body.id as string;
  // Reminders are held outside the recipient's window: let this tenant text at any hour.
  await allowTextingAtAnyHour(t.db, tenantId);
  const settings = await call(`/tenants/${tenantId}/reminders/settings`, 'PUT', { enabled: true, offsetsMinutes: [OFFSET_MINUTES], confirmByReply: true });
  if (settings.status !== 200) throw new Error(`reminder settings: ${settings.status} ${JSON.stringify(settings.body)}`);

  // The first sync is a backfill: customers, jobs and contacts the appointments below are booked on.
  if ((await call(`/tenants/${tenantId}/sync`, 'POST', { source: 'servicetitan', full: true })).status !== 202) throw new Error('full sync refused');
  await waitFor(async () => {
    const modules = (await call(`/tenants/${tenantId}/sync`)).body.modules as SyncModule[];
    return modules.every((m) => m.state === 'idle' && m.lastSuccessAt) ? true : undefined;
  }, 60_000, 'the first full sync');
  candidateJobs = await jobsTextableAtAnyHour();
}, 120_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await running?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

describe.concurrent('appointment reminders under PM2', () => {
  it('texts a synced appointment at its due time, exactly once', async ({ expect }) => {
    const visit = await bookVisit(0, expect);
    const phone = await recipientOf(visit.appointmentId);
    const text = await expectTextedOnTime(phone, visit.dueMs, expect);
    const sent = await reminderFor(visit.appointmentId, visit.startMs, 'sent');
    // Past the reconciler's next run (every 30 s): no second text for the same slot.
    await sleep(35_000);
    expect(await textsTo(phone)).toHaveLength(1);
    const ledger = await ledgerTexts(visit.appointmentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.idempotency_key).toBe(`reminder:${visit.appointmentId}:${OFFSET_MINUTES}:${new Date(visit.startMs).toISOString()}`);
    expect(ledger[0]!.to).toBe(phone);
    expect(sent.messageId).toBe(ledger[0]!.id);
    const { rows } = await t.db.execute<{ twilio_sid: string | null }>(sql`select twilio_sid from messages where id = ${ledger[0]!.id}`);
    expect(rows[0]!.twilio_sid).toBe(text.sid);
    expect(await remindersOf(visit.appointmentId)).toHaveLength(1);
  }, 200_000);

  it('moved before its reminder was due: never texts the old time, texts the new one once', async ({ expect }) => {
    const visit = await bookVisit(1, expect);
    const phone = await recipientOf(visit.appointmentId);
    const newStartMs = visit.startMs + 90_000;
    const newDueMs = newStartMs - OFFSET_MINUTES * 60_000;
    const movedAt = Date.now();
    await sandbox('POST', `/servicetitan/${stTenant}/appointments/${visit.appointmentId}/reschedule`, { start: new Date(newStartMs).toISOString() });
    await syncAppointmentsSince(movedAt);
    const old = await reminderFor(visit.appointmentId, visit.startMs, 'cancelled');
    expect(old.id).toBe(visit.reminder.id);
    expect(old.reason).toBe('rescheduled');
    expect(old.messageId).toBeNull();
    const moved = await reminderFor(visit.appointmentId, newStartMs, 'scheduled');
    expect(Date.parse(moved.dueAt)).toBe(newDueMs);
    expect(Date.now()).toBeLessThan(visit.dueMs);

    // Well past the old due time: nothing went.
    await sleep(visit.dueMs + ON_TIME_MS - Date.now());
    expect(await textsTo(phone)).toHaveLength(0);
    expect(await ledgerTexts(visit.appointmentId)).toHaveLength(0);

    await expectTextedOnTime(phone, newDueMs, expect);
    const sent = await reminderFor(visit.appointmentId, newStartMs, 'sent');
    await sleep(10_000);
    expect(await textsTo(phone)).toHaveLength(1);
    const ledger = await ledgerTexts(visit.appointmentId);
    expect(ledger.map((m) => m.idempotency_key)).toEqual([`reminder:${visit.appointmentId}:${OFFSET_MINUTES}:${new Date(newStartMs).toISOString()}`]);
    expect(sent.messageId).toBe(ledger[0]!.id);
    const all = await remindersOf(visit.appointmentId);
    expect(all.map((r) => r.status).sort()).toEqual(['cancelled', 'sent']);
  }, 200_000);

  it('canceled before its reminder was due: sends nothing', async ({ expect }) => {
    const visit = await bookVisit(2, expect);
    const phone = await recipientOf(visit.appointmentId);
    const canceledAt = Date.now();
    await sandbox('POST', `/servicetitan/${stTenant}/appointments/${visit.appointmentId}/cancel`, {});
    await syncAppointmentsSince(canceledAt);
    const cancelled = await reminderFor(visit.appointmentId, visit.startMs, 'cancelled');
    expect(cancelled.reason).toBe('canceled');
    expect(Date.now()).toBeLessThan(visit.dueMs);

    await sleep(visit.dueMs + ON_TIME_MS - Date.now());
    expect(await textsTo(phone, '')).toHaveLength(0);
    expect(await ledgerTexts(visit.appointmentId)).toHaveLength(0);
    const all = await remindersOf(visit.appointmentId);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'cancelled', reason: 'canceled', messageId: null });
  }, 200_000);

  it('a C reply confirms the visit in ServiceTitan once, and a replayed webhook confirms nothing again', async ({ expect }) => {
    const visit = await bookVisit(3, expect);
    const phone = await recipientOf(visit.appointmentId);
    await expectTextedOnTime(phone, visit.dueMs, expect);
    await reminderFor(visit.appointmentId, visit.startMs, 'sent');
    expect(await confirmations(visit.appointmentId)).toHaveLength(0);

    const inbound = await sandbox('POST', '/twilio/inbound', { from: phone, to: SENDER, body: 'C' });
    expect((inbound.webhook as { httpStatus: number }).httpStatus).toBe(200);
    const calls = await waitFor(async () => {
      const c = await confirmations(visit.appointmentId);
      return c.length > 0 ? c : undefined;
    }, 30_000, 'the confirmation at the sandbox ServiceTitan');
    expect(calls).toEqual([expect.objectContaining({ appointmentId: visit.appointmentId, method: 'PUT', outcome: 'changed' })]);
    const confirmed = await waitFor(async () => (await remindersOf(visit.appointmentId)).find((r) => r.confirmedAt !== null), 30_000, 'confirmedAt on the reminder');
    expect(confirmed.status).toBe('sent');
    expect(Date.parse(confirmed.confirmedAt!)).toBeGreaterThan(visit.dueMs);
    const record = await sandbox('GET', `/servicetitan/${stTenant}/records/appointments/${visit.appointmentId}`);
    expect(record.isConfirmed).toBe(true);
    await waitFor(async () => ((await textsTo(phone, 'is confirmed')).length === 1 ? true : undefined), 30_000, 'the thank-you text');

    // Twilio retries a webhook: the same MessageSid again.
    expect(await replayInbound(inbound.sid as string, phone, 'C')).toBe(200);
    const { rows } = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where tenant_id = ${tenantId} and twilio_sid = ${inbound.sid as string}`);
    expect(rows[0]!.n).toBe(1);
    await sleep(10_000);
    expect(await confirmations(visit.appointmentId)).toHaveLength(1);
    expect(await textsTo(phone, 'is confirmed')).toHaveLength(1);
    expect(await textsTo(phone)).toHaveLength(1);
    const after = await remindersOf(visit.appointmentId);
    expect(after).toHaveLength(1);
    expect(after[0]!.confirmedAt).toBe(confirmed.confirmedAt);
    const { rows: writes } = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from vendor_writes where tenant_id = ${tenantId} and operation = 'appointment.confirm'`);
    expect(writes[0]!.n).toBe(1);
  }, 200_000);
});
