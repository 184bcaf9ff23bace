import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findReminder, recordConsent, saveReminderSettings, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, reminderFireJobId, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { fireReminder, onAppointmentChanged, planAppointment, planTenant, reconcileReminders } from '../src/index.js';
import {
  createReminderTenant,
  moveAppointment,
  reminderTestDeps,
  reminderTexts,
  remindersOf,
  seedVisit,
  setAppointmentStatus,
  setJobStatus,
  testClock,
  textsWithKey,
} from './support.js';

// Wed 2027-03-10 15:00 UTC is 09:00 in Chicago and Texas: inside the send window.
const NOW = new Date('2027-03-10T15:00:00Z');
const HOUR = 3_600_000;
const inHours = (h: number) => new Date(NOW.getTime() + h * HOUR);

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
const clock = testClock(NOW);
const deps = () => reminderTestDeps(db, bus, clock.now);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
  await t.drop();
});
beforeEach(() => clock.set(NOW));

const fireJob = (reminder: { id: string; dueAt: Date }) => bus.queue('reminders').getJob(reminderFireJobId(reminder.id, reminder.dueAt));

describe('planning', () => {
  it('plans one reminder per offset at start − offset, each with its delayed job; the same change seen twice changes nothing', async () => {
    const tenantId = await createReminderTenant(db);
    // Sat 15:00 in Chicago: both due times (Fri 15:00, Sat 13:00) are inside the window.
    const visit = await seedVisit(db, tenantId, { start: inHours(78) });
    expect(await planAppointment(deps(), tenantId, visit.appointmentId)).toMatchObject({ planned: 2, cancelled: 0 });
    expect(await planAppointment(deps(), tenantId, visit.appointmentId)).toMatchObject({ planned: 0, cancelled: 0 });

    const rows = await remindersOf(db, tenantId, visit.appointmentId);
    expect(rows.map((r) => [r.offsetMinutes, r.status, r.dueAt.toISOString(), r.phone])).toEqual([
      [120, 'scheduled', inHours(76).toISOString(), visit.customerPhone],
      [1440, 'scheduled', inHours(54).toISOString(), visit.customerPhone],
    ]);
    for (const row of rows) {
      const job = await fireJob(row);
      expect(job?.data).toMatchObject({ tenantId, reminderId: row.id });
      expect(job?.opts.delay).toBe(row.dueAt.getTime() - NOW.getTime());
    }
  });

  it('a reschedule cancels the old reminders as rescheduled and plans the new start; the old job fires nothing', async () => {
    const tenantId = await createReminderTenant(db);
    const visit = await seedVisit(db, tenantId, { start: inHours(72) });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    const [old] = await remindersOf(db, tenantId, visit.appointmentId);
    await moveAppointment(db, tenantId, visit.appointmentId, inHours(96));
    expect(await onAppointmentChanged(deps(), { tenantId, appointmentId: visit.appointmentId })).toEqual([expect.objectContaining({ planned: 2, cancelled: 2 })]);

    const rows = await remindersOf(db, tenantId, visit.appointmentId);
    expect(rows.map((r) => [r.appointmentStart.toISOString(), r.offsetMinutes, r.status, r.reason])).toEqual([
      [inHours(72).toISOString(), 120, 'cancelled', 'rescheduled'],
      [inHours(72).toISOString(), 1440, 'cancelled', 'rescheduled'],
      [inHours(96).toISOString(), 120, 'scheduled', null],
      [inHours(96).toISOString(), 1440, 'scheduled', null],
    ]);
    clock.set(old!.dueAt);
    expect(await fireReminder(deps(), { tenantId, reminderId: old!.id })).toBe('not-scheduled');
    expect(await reminderTexts(db, tenantId, visit.appointmentId)).toEqual([]);
  });

  it('Canceled, Done, or the job canceled cancel them with that reason', async () => {
    const tenantId = await createReminderTenant(db);
    const canceled = await seedVisit(db, tenantId, { start: inHours(72) });
    const done = await seedVisit(db, tenantId, { start: inHours(72) });
    const jobCanceled = await seedVisit(db, tenantId, { start: inHours(72) });
    for (const v of [canceled, done, jobCanceled]) await planAppointment(deps(), tenantId, v.appointmentId);
    await setAppointmentStatus(db, tenantId, canceled.appointmentId, 'Canceled');
    await setAppointmentStatus(db, tenantId, done.appointmentId, 'Done');
    await setJobStatus(db, tenantId, jobCanceled.jobId, 'Canceled');
    await onAppointmentChanged(deps(), { tenantId, appointmentId: canceled.appointmentId });
    await onAppointmentChanged(deps(), { tenantId, appointmentId: done.appointmentId });
    // A job canceled names the job: its appointments are found from it.
    expect(await onAppointmentChanged(deps(), { tenantId, jobId: jobCanceled.jobId })).toHaveLength(1);

    const reasons = async (v: { appointmentId: number }) => (await remindersOf(db, tenantId, v.appointmentId)).map((r) => `${r.status}:${r.reason}`);
    expect(await reasons(canceled)).toEqual(['cancelled:canceled', 'cancelled:canceled']);
    expect(await reasons(done)).toEqual(['cancelled:done', 'cancelled:done']);
    expect(await reasons(jobCanceled)).toEqual(['cancelled:job_canceled', 'cancelled:job_canceled']);
  });

  it('plans nothing for excluded business units or job types, for a tenant with reminders off, or for a visit already past', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, excludeBusinessUnitIds: [99], excludeJobTypeIds: [] });
    const excluded = await seedVisit(db, tenantId, { start: inHours(72), businessUnitId: 99 });
    const past = await seedVisit(db, tenantId, { start: inHours(-1) });
    expect(await planAppointment(deps(), tenantId, excluded.appointmentId)).toMatchObject({ planned: 0, reason: 'excluded_business_unit' });
    expect(await planAppointment(deps(), tenantId, past.appointmentId)).toMatchObject({ planned: 0, reason: 'past' });
    const off = await createReminderTenant(db, { enabled: false });
    const visit = await seedVisit(db, off, { start: inHours(72) });
    expect(await planAppointment(deps(), off, visit.appointmentId)).toMatchObject({ planned: 0, reason: 'disabled' });
    expect(await remindersOf(db, tenantId, excluded.appointmentId)).toEqual([]);
    expect(await remindersOf(db, tenantId, past.appointmentId)).toEqual([]);
    expect(await remindersOf(db, off, visit.appointmentId)).toEqual([]);
  });

  it('turning a tenant off cancels what was planned when its appointments are planned again', async () => {
    const tenantId = await createReminderTenant(db);
    const visit = await seedVisit(db, tenantId, { start: inHours(72) });
    await planTenant(deps(), { tenantId });
    await saveReminderSettings(db, tenantId, { enabled: false });
    expect(await planTenant(deps(), { tenantId })).toMatchObject({ appointments: 1, cancelled: 2 });
    expect((await remindersOf(db, tenantId, visit.appointmentId)).map((r) => r.reason)).toEqual(['disabled', 'disabled']);
  });

  it('texts the location contact first, else the customer; never a number opted out or marked do-not-text', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
    const atLocation = await seedVisit(db, tenantId, { start: inHours(72), locationPhone: '+15125550901' });
    const optedOutLocation = await seedVisit(db, tenantId, { start: inHours(72), locationPhone: '+15125550902' });
    const nobody = await seedVisit(db, tenantId, { start: inHours(72), customerPhone: '+15125550903' });
    await recordConsent(db, { tenantId, phone: '+15125550902', optOut: true, keyword: 'STOP', source: 'inbound_sms' });
    await recordConsent(db, { tenantId, phone: '+15125550903', optOut: true, keyword: 'STOP', source: 'inbound_sms' });
    for (const v of [atLocation, optedOutLocation, nobody]) await planAppointment(deps(), tenantId, v.appointmentId);

    expect((await remindersOf(db, tenantId, atLocation.appointmentId))[0]).toMatchObject({ phone: '+15125550901', status: 'scheduled' });
    expect((await remindersOf(db, tenantId, optedOutLocation.appointmentId))[0]).toMatchObject({ phone: optedOutLocation.customerPhone, status: 'scheduled' });
    expect((await remindersOf(db, tenantId, nobody.appointmentId))[0]).toMatchObject({ phone: null, status: 'skipped', reason: 'opted_out' });

    // Firing reads the same choice again (in its one statement).
    for (const [visit, to] of [[atLocation, '+15125550901'], [optedOutLocation, optedOutLocation.customerPhone]] as const) {
      const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
      clock.set(reminder!.dueAt);
      expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('sent');
      expect((await reminderTexts(db, tenantId, visit.appointmentId)).map((m) => m.to)).toEqual([to]);
    }
  });

  it('booked at short notice: a late reminder goes at once if the start is ≥ 30 minutes away, else too_late', async () => {
    const tenantId = await createReminderTenant(db);
    const soon = await seedVisit(db, tenantId, { start: inHours(1) });
    const tooSoon = await seedVisit(db, tenantId, { start: new Date(NOW.getTime() + 20 * 60_000) });
    await planAppointment(deps(), tenantId, soon.appointmentId);
    await planAppointment(deps(), tenantId, tooSoon.appointmentId);
    // Both offsets are overdue: one text goes now, the other is superseded (never two at once).
    expect((await remindersOf(db, tenantId, soon.appointmentId)).map((r) => [r.offsetMinutes, r.status, r.reason, r.dueAt.toISOString()])).toEqual([
      [120, 'scheduled', null, NOW.toISOString()],
      [1440, 'skipped', 'superseded', inHours(-23).toISOString()],
    ]);
    expect((await remindersOf(db, tenantId, tooSoon.appointmentId)).map((r) => `${r.status}:${r.reason}`)).toEqual(['skipped:too_late', 'skipped:too_late']);
  });
});

describe('firing', () => {
  it('sends one text through the ledger naming the customer, company, date, arrival window and technician, and asks for C', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [1440] });
    // Thu 2027-03-11 14:00–16:00 UTC is 08:00–10:00 in Chicago (CST, before the March 14 change).
    const visit = await seedVisit(db, tenantId, { start: new Date('2027-03-11T14:00:00Z'), name: 'Dana Smith', technician: 'Sam Rivera' });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    clock.set(reminder!.dueAt);

    // The job and a twin (a retry after a crash, a replayed job) both run.
    expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('sent');
    expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('not-scheduled');
    const texts = await reminderTexts(db, tenantId, visit.appointmentId);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({
      to: visit.customerPhone,
      idempotencyKey: `reminder:${visit.appointmentId}:1440:2027-03-11T14:00:00.000Z`,
      body: 'Hi Dana, this is Acme HVAC: a reminder of your appointment Thu Mar 11, 8–10 AM, with Sam. Reply C to confirm or R to reschedule.',
      status: 'queued',
    });
    expect(texts[0]!.sendBefore?.toISOString()).toBe('2027-03-11T14:00:00.000Z');
    expect(await findReminder(db, tenantId, reminder!.id)).toMatchObject({ status: 'sent', messageId: texts[0]!.id });
  });

  it('re-plans instead of texting when the mirror moved the visit before its event arrived', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
    const visit = await seedVisit(db, tenantId, { start: inHours(4) });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    await moveAppointment(db, tenantId, visit.appointmentId, inHours(8));
    clock.set(reminder!.dueAt);
    expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('replanned');
    expect(await reminderTexts(db, tenantId, visit.appointmentId)).toEqual([]);
    expect((await remindersOf(db, tenantId, visit.appointmentId)).map((r) => `${r.status}:${r.reason ?? ''}`)).toEqual(['cancelled:rescheduled', 'scheduled:']);
  });

  it('checks consent again at send time', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
    const visit = await seedVisit(db, tenantId, { start: inHours(4) });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    await recordConsent(db, { tenantId, phone: visit.customerPhone, optOut: true, keyword: 'STOP', source: 'inbound_sms' });
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    clock.set(reminder!.dueAt);
    expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('skipped');
    expect(await findReminder(db, tenantId, reminder!.id)).toMatchObject({ status: 'skipped', reason: 'opted_out' });
    expect(await reminderTexts(db, tenantId, visit.appointmentId)).toEqual([]);
  });

  it('a fire that lands in quiet hours (workers were down) waits for the window if the start allows', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [740] });
    // A 09:00 CST visit on Fri the 12th; its reminder is due 20:40 on Thursday, inside the window.
    const visit = await seedVisit(db, tenantId, { start: new Date('2027-03-12T15:00:00Z') });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    expect(reminder!.dueAt.toISOString()).toBe('2027-03-12T02:40:00.000Z');
    // The worker only gets to it at 21:10, after the window closed: it moves to 08:00 Friday.
    clock.set(new Date('2027-03-12T03:10:00Z'));
    expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('deferred');
    const moved = await findReminder(db, tenantId, reminder!.id);
    expect(moved).toMatchObject({ status: 'scheduled', dueAt: new Date('2027-03-12T14:00:00Z') });
    expect(await fireJob(moved!)).toBeDefined();
    expect(await reminderTexts(db, tenantId, visit.appointmentId)).toEqual([]);
    clock.set(moved!.dueAt);
    expect(await fireReminder(deps(), { tenantId, reminderId: reminder!.id })).toBe('sent');
  });

  it('due in quiet hours with under 30 minutes between the window opening and the start: skipped as quiet_hours', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
    // An 08:20 CST visit: due 06:20 in quiet hours; the window opens at 08:00, 20 minutes before it (under 30).
    const visit = await seedVisit(db, tenantId, { start: new Date('2027-03-11T14:20:00Z') });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    expect(reminder).toMatchObject({ status: 'skipped', reason: 'quiet_hours' });
  });
});

describe('on my way', () => {
  it('one text naming the technician when the sync sees the visit dispatched, and its reminders end', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [60], dispatchNotice: true });
    const visit = await seedVisit(db, tenantId, { start: inHours(2), technician: 'Sam Rivera' });
    const quiet = await seedVisit(db, tenantId, { start: inHours(2) });
    await planTenant(deps(), { tenantId });
    await setAppointmentStatus(db, tenantId, visit.appointmentId, 'Dispatched');
    await setAppointmentStatus(db, tenantId, quiet.appointmentId, 'Dispatched');
    await onAppointmentChanged(deps(), { tenantId, appointmentId: visit.appointmentId });
    await onAppointmentChanged(deps(), { tenantId, appointmentId: visit.appointmentId });
    // A re-plan of the whole tenant is not a technician setting off.
    await planTenant(deps(), { tenantId });

    const texts = await textsWithKey(db, tenantId, 'dispatch:');
    expect(texts.map((m) => [m.idempotencyKey, m.body])).toEqual([[`dispatch:${visit.appointmentId}:${inHours(2).toISOString()}`, 'Acme HVAC: Sam is on the way to you now.']]);
    expect((await remindersOf(db, tenantId, visit.appointmentId)).map((r) => `${r.status}:${r.reason}`)).toEqual(['cancelled:dispatched']);
  });
});

describe('the reconciler', () => {
  it('restores the fire jobs Redis lost, once', async () => {
    const tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [10] });
    const visit = await seedVisit(db, tenantId, { start: inHours(1) });
    await planAppointment(deps(), tenantId, visit.appointmentId);
    const [reminder] = await remindersOf(db, tenantId, visit.appointmentId);
    await (await fireJob(reminder!))!.remove();
    expect(await fireJob(reminder!)).toBeUndefined();

    const first = await reconcileReminders(deps(), { horizonMs: 2 * HOUR });
    expect(first.reenqueued).toBeGreaterThanOrEqual(1);
    expect(await fireJob(reminder!)).toBeDefined();
    const second = await reconcileReminders(deps(), { horizonMs: 2 * HOUR });
    expect(second.reenqueued).toBe(0);
  });
});
