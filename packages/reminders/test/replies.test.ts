import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTenant, findReminder, findVendorWrite, saveReminderSettings, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createClientFactory } from '@fieldhand/servicetitan';
import { createSandbox, type RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { answerReply, confirmAppointment, confirmationKey, fireReminder, planAppointment, type ReminderDeps } from '../src/index.js';
import { createReminderTenant, reminderTestDeps, remindersOf, seedVisit, testClock, textsWithKey, type SeededVisit } from './support.js';

const NOW = new Date('2027-03-10T15:00:00Z'); // 09:00 in Chicago
const inHours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let running: RunningSandbox;
const clock = testClock(NOW);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  running = await createSandbox({ logLevel: 'silent' }).listen(0);
});
afterAll(async () => {
  await bus.close();
  await running.close();
  await redis.cleanup();
  await t.drop();
});
beforeEach(() => clock.set(NOW));

async function sandbox(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${running.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** A tenant connected to its own sandbox ServiceTitan account, with clients as the reminders role makes them. */
async function connectedTenant(): Promise<{ tenantId: string; stTenant: number; deps: ReminderDeps }> {
  const { servicetitan: st } = (await sandbox('POST', '/accounts', { seed: 5, size: 10 })) as { servicetitan: { tenantId: number; clientId: string; clientSecret: string; appKey: string } };
  const tenant = await createTenant(db, {
    name: 'Acme HVAC',
    timezone: 'America/Chicago',
    twilio: { from: `+1737200${String(st.tenantId % 10_000).padStart(4, '0')}` },
    servicetitan: { tenantId: String(st.tenantId), clientId: st.clientId, clientSecret: st.clientSecret, appKey: st.appKey },
  });
  await saveReminderSettings(db, tenant.id, { enabled: true, offsetsMinutes: [120] });
  const clients = createClientFactory({
    db,
    authUrl: running.env.SERVICETITAN_AUTH_URL!,
    apiUrl: running.env.SERVICETITAN_API_URL!,
    redis: redis.connect('producer'),
    keyPrefix: redis.prefix,
    requestsPerSecond: 100,
    timeoutMs: 5_000,
  });
  return { tenantId: tenant.id, stTenant: st.tenantId, deps: reminderTestDeps(db, bus, clock.now, clients) };
}

/** An appointment booked in the sandbox, mirrored as the sync would, with its reminder sent. */
async function sentReminder(deps: ReminderDeps, tenantId: string, stTenant?: number): Promise<SeededVisit> {
  const appointmentId = stTenant === undefined ? undefined : Number((await sandbox('POST', `/servicetitan/${stTenant}/appointments`, { jobId: 50_000_000, startsAt: inHours(4).toISOString() }))['id']);
  const visit = await seedVisit(db, tenantId, { start: inHours(4), ...(appointmentId ? { appointmentId } : {}) });
  await planAppointment(deps, tenantId, visit.appointmentId);
  const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
  clock.set(reminder!.dueAt);
  expect(await fireReminder(deps, { tenantId, reminderId: reminder!.id })).toBe('sent');
  return visit;
}

const confirmations = async (stTenant: number, appointmentId: number) => ((await sandbox('GET', `/servicetitan/${stTenant}/appointments/${appointmentId}/confirmations`)) as { calls: { outcome: string }[] }).calls;
const reply = (tenantId: string, from: string, answer: 'confirm' | 'reschedule') => ({ tenantId, messageId: crypto.randomUUID(), from, answer });
const workflowJob = (id: string) => bus.queue('workflow').getJob(id);

describe('a C reply to a sent reminder', () => {
  it('confirms once: one vendor write, one ServiceTitan PUT, one thank-you text, confirmedAt on the reminder', async () => {
    const { tenantId, stTenant, deps } = await connectedTenant();
    const visit = await sentReminder(deps, tenantId, stTenant);
    const first = reply(tenantId, visit.customerPhone, 'confirm');
    expect(await answerReply(deps, first)).toBe('confirmed');
    // Another C (the customer texts twice, or the job runs twice): nothing new.
    expect(await answerReply(deps, reply(tenantId, visit.customerPhone, 'confirm'))).toBe('already-answered');
    expect(await answerReply(deps, first)).toBe('already-answered');

    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    expect(reminder!.confirmedAt?.getTime()).toBe(clock.now().getTime());
    const event = await workflowJob(`evt-${tenantId}-appointment.confirmed-${visit.appointmentId}-${inHours(4).getTime()}`);
    expect(event?.data).toMatchObject({ type: 'appointment.confirmed', subject: { type: 'appointment', id: visit.appointmentId } });

    const jobs = (await bus.queue('reminders').getJobs(['waiting', 'prioritized', 'delayed'])).filter((j) => j.name === 'reminders.confirm-appointment' && j.data.tenantId === tenantId);
    expect(jobs).toHaveLength(1);
    const { writeId } = jobs[0]!.data as { writeId: string };
    expect(await findVendorWrite(db, tenantId, writeId)).toMatchObject({ key: confirmationKey(reminder!), status: 'pending' });

    // The job and a twin of it.
    expect(await confirmAppointment(deps, { tenantId, writeId }, { lastAttempt: false })).toBe('done');
    expect(await confirmAppointment(deps, { tenantId, writeId }, { lastAttempt: false })).toBe('already-done');
    expect(await confirmations(stTenant, visit.appointmentId)).toEqual([expect.objectContaining({ outcome: 'changed' })]);
    expect(await findVendorWrite(db, tenantId, writeId)).toMatchObject({ status: 'done', responseStatus: 200, attempts: 1 });

    const texts = await textsWithKey(db, tenantId, `reminder-confirmed:${visit.appointmentId}:`);
    expect(texts.map((m) => m.body)).toEqual([expect.stringMatching(/^Thanks Dana, your appointment Wed Mar 10, 1–3 PM is confirmed\. Acme HVAC$/)]);
  });

  it('a vendor error leaves the write pending for the retry; the last attempt fails it; a refused request fails at once', async () => {
    const { tenantId, stTenant, deps } = await connectedTenant();
    const visit = await sentReminder(deps, tenantId, stTenant);
    await answerReply(deps, reply(tenantId, visit.customerPhone, 'confirm'));
    const [job] = (await bus.queue('reminders').getJobs(['waiting', 'prioritized'])).filter((j) => j.name === 'reminders.confirm-appointment' && j.data.tenantId === tenantId);
    const { writeId } = job!.data as { writeId: string };

    await sandbox('PUT', '/faults', { seed: 1, rules: [{ vendor: 'servicetitan', kind: 'http-error', status: 503, probability: 1, endpoint: '/servicetitan/api/jpm/**' }] });
    try {
      await expect(confirmAppointment(deps, { tenantId, writeId }, { lastAttempt: false })).rejects.toMatchObject({ status: 503 });
      expect(await findVendorWrite(db, tenantId, writeId)).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      await sandbox('DELETE', '/faults');
    }
    expect(await confirmAppointment(deps, { tenantId, writeId }, { lastAttempt: false })).toBe('done');
    expect(await confirmations(stTenant, visit.appointmentId)).toHaveLength(1);

    // An appointment ServiceTitan does not know: 404, failed for good (the job dead-letters).
    const unknown = await sentReminder(deps, tenantId);
    await answerReply(deps, reply(tenantId, unknown.customerPhone, 'confirm'));
    const [job2] = (await bus.queue('reminders').getJobs(['waiting', 'prioritized'])).filter((j) => j.name === 'reminders.confirm-appointment' && j.data.writeId !== writeId && j.data.tenantId === tenantId);
    await expect(confirmAppointment(deps, { tenantId, writeId: (job2!.data as { writeId: string }).writeId }, { lastAttempt: false })).rejects.toMatchObject({ name: 'UnrecoverableError' });
    expect(await findVendorWrite(db, tenantId, (job2!.data as { writeId: string }).writeId)).toMatchObject({ status: 'failed', responseStatus: 404 });
  });
});

describe('other answers', () => {
  it('R records a reschedule request and an event the workflows can trigger on; nothing is written to ServiceTitan', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
    const deps = reminderTestDeps(db, bus, clock.now);
    const visit = await sentReminder(deps, tenantId);
    expect(await answerReply(deps, reply(tenantId, visit.customerPhone, 'reschedule'))).toBe('reschedule-requested');
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    expect(reminder).toMatchObject({ confirmedAt: null, rescheduleRequestedAt: clock.now() });
    expect((await workflowJob(`evt-${tenantId}-appointment.reschedule_requested-${visit.appointmentId}-${inHours(4).getTime()}`))?.data).toMatchObject({ type: 'appointment.reschedule_requested' });
    const writes = (await bus.queue('reminders').getJobs(['waiting', 'prioritized'])).filter((j) => j.name === 'reminders.confirm-appointment' && j.data.tenantId === tenantId);
    expect(writes).toEqual([]);
  });

  it('a C from a number no reminder went to, or after the visit began, is an ordinary reply', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
    const deps = reminderTestDeps(db, bus, clock.now);
    const visit = await sentReminder(deps, tenantId);
    const stranger = reply(tenantId, '+15125559999', 'confirm');
    expect(await answerReply(deps, stranger)).toBe('not-a-reminder-reply');
    expect((await workflowJob(`sms-event-${stranger.messageId}`))?.data).toMatchObject({ type: 'sms.replied', phone: '+15125559999' });

    clock.set(inHours(4.5));
    const late = reply(tenantId, visit.customerPhone, 'confirm');
    expect(await answerReply(deps, late)).toBe('not-a-reminder-reply');
    expect((await remindersOf(db, tenantId, visit.appointmentId))[0]!.confirmedAt).toBeNull();
  });

  it('with confirmation off, C is an ordinary reply', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120], confirmByReply: false });
    const deps = reminderTestDeps(db, bus, clock.now);
    const visit = await sentReminder(deps, tenantId);
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    expect(await findReminder(db, tenantId, reminder!.id)).toMatchObject({ status: 'sent' });
    expect(await answerReply(deps, reply(tenantId, visit.customerPhone, 'confirm'))).toBe('not-a-reminder-reply');
  });
});
