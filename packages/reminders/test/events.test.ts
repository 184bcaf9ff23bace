import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { findTenant, outbox, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { EVENT_CATALOG } from '@fieldhand/events';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { receiveInbound, type InboundJob } from '@fieldhand/sms';
import { answerReply, fireReminder, planAppointment, type ReminderDeps } from '../src/index.js';
import { createReminderTenant, reminderTestDeps, remindersOf, seedVisit, testClock } from './support.js';

const NOW = new Date('2027-03-10T15:00:00Z'); // 09:00 in Chicago
const inHours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let deps: ReminderDeps;
let tenantId: string;
const clock = testClock(NOW);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  deps = reminderTestDeps(db, bus, clock.now);
  tenantId = await createReminderTenant(db, { enabled: true, offsetsMinutes: [120] });
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
  await t.drop();
});
beforeEach(() => clock.set(NOW));

async function published(jobId: string) {
  const job = await bus.queue('events').getJob(jobId);
  expect(job, jobId).toBeDefined();
  const envelope = job!.data as { id: string; type: string; tenantId: string; data: Record<string, unknown> };
  expect(envelope.id).toBe(`evt_${jobId.slice('ev-'.length)}`);
  expect(envelope.tenantId).toBe(tenantId);
  expect(EVENT_CATALOG[envelope.type as keyof typeof EVENT_CATALOG].data.safeParse(envelope.data).success).toBe(true);
  return envelope;
}

const eventRows = async (type: string) => (await db.select().from(outbox).where(eq(outbox.jobName, 'events.publish'))).filter((r) => r.payload.type === type);

async function sentReminder() {
  const visit = await seedVisit(db, tenantId, { start: inHours(4) });
  await planAppointment(deps, tenantId, visit.appointmentId);
  const [planned] = await remindersOf(db, tenantId, visit.appointmentId);
  clock.set(planned!.dueAt);
  expect(await fireReminder(deps, { tenantId, reminderId: planned!.id })).toBe('sent');
  const [sent] = await remindersOf(db, tenantId, visit.appointmentId);
  return { visit, reminder: sent! };
}

let sid = 0;
/** A text stored as the webhook stores it; its sms.inbound payload. */
async function inboundText(from: string, body: string): Promise<InboundJob> {
  const tenant = (await findTenant(db, tenantId))!;
  const result = await receiveInbound(db, tenant, { From: from, To: tenant.twilio!.from!, Body: body, MessageSid: `SM${String(++sid).padStart(32, '7')}` }, 'corr');
  return result.inbox!.payload as InboundJob;
}

describe('reminder events', () => {
  it('a reminder marked sent reports reminder.sent with its text, once', async () => {
    const { visit, reminder } = await sentReminder();
    const event = await published(`ev-reminder-${reminder.id}-sent`);
    expect(event).toMatchObject({ type: 'reminder.sent', data: { reminderId: reminder.id, appointmentId: visit.appointmentId, phone: visit.customerPhone, messageId: reminder.messageId } });
    // The fire job delivered again: already sent, nothing reported.
    await fireReminder(deps, { tenantId, reminderId: reminder.id });
    expect((await eventRows('reminder.sent')).filter((r) => (r.payload.data as { reminderId: string }).reminderId === reminder.id)).toHaveLength(1);
  });

  it('a C is reminder.confirmed and an R reminder.reschedule_requested, once per appointment, naming the reply', async () => {
    const confirmed = await sentReminder();
    const c = await inboundText(confirmed.visit.customerPhone, 'C');
    expect(await answerReply(deps, { tenantId, messageId: c.messageId, from: c.from, answer: 'confirm' })).toBe('confirmed');
    expect(await answerReply(deps, { tenantId, messageId: c.messageId, from: c.from, answer: 'confirm' })).toBe('already-answered');
    const start = confirmed.reminder.appointmentStart.getTime();
    expect(await published(`ev-reminder-${confirmed.visit.appointmentId}-${start}-confirmed`)).toMatchObject({
      type: 'reminder.confirmed',
      data: { reminderId: confirmed.reminder.id, appointmentId: confirmed.visit.appointmentId, phone: c.from, messageId: c.messageId },
    });
    expect((await eventRows('reminder.confirmed')).filter((r) => (r.payload.data as { appointmentId: number }).appointmentId === confirmed.visit.appointmentId)).toHaveLength(1);
    // An answer is not also a message.received.
    expect(await bus.queue('events').getJob(`ev-msg-received-${c.messageId}`)).toBeUndefined();

    clock.set(NOW);
    const rescheduled = await sentReminder();
    const r = await inboundText(rescheduled.visit.customerPhone, 'R');
    expect(await answerReply(deps, { tenantId, messageId: r.messageId, from: r.from, answer: 'reschedule' })).toBe('reschedule-requested');
    const rStart = rescheduled.reminder.appointmentStart.getTime();
    expect((await published(`ev-reminder-${rescheduled.visit.appointmentId}-${rStart}-reschedule_requested`)).type).toBe('reminder.reschedule_requested');
  });

  it('a C from a number no reminder went to is an ordinary reply: message.received', async () => {
    const c = await inboundText('+15125559876', 'C');
    expect(await answerReply(deps, { tenantId, messageId: c.messageId, from: c.from, answer: 'confirm' })).toBe('not-a-reminder-reply');
    expect(await published(`ev-msg-received-${c.messageId}`)).toMatchObject({ type: 'message.received', data: { messageId: c.messageId, body: 'C', from: '+15125559876' } });
  });
});
