import { findAnsweredReminder, findMessage, findReminderAppointment, findReminderContext, findTenant, markAppointmentAnswered, recordVendorWrite, type ReminderRow } from '@fieldhand/db';
import { flushOutbox, writeOutbox, type FieldhandCatalog, type OutboxJob } from '@fieldhand/queues';
import { createOutboundMessage, emitSmsEvent, recipientWindow, reportReply } from '@fieldhand/sms';
import { nowOf, type ReminderDeps } from './reminder-deps.js';
import { reminderEvent } from './reminder-events.js';
import { renderReminderText, reminderVars } from './reminder-text.js';
import { loadReminderSettings } from './settings.js';

export type ReplyData = { tenantId: string; messageId: string; from: string; answer: 'confirm' | 'reschedule' };
export type ReplyOutcome = 'confirmed' | 'reschedule-requested' | 'already-answered' | 'not-a-reminder-reply';

/** The ledger key of the one ServiceTitan confirmation of an appointment at a start. */
export const confirmationKey = (r: Pick<ReminderRow, 'appointmentId' | 'appointmentStart'>): string => `st-confirm:${r.appointmentId}:${r.appointmentStart.toISOString()}`;

/**
 * A C (or R) from a number a reminder was sent to, while that appointment is ahead:
 * confirms it once (one ServiceTitan write through the vendor write ledger, one short
 * reply) or records a reschedule request. From anyone else it is an ordinary reply and
 * goes to the workflows as one.
 */
export async function answerReply(deps: ReminderDeps, data: ReplyData): Promise<ReplyOutcome> {
  const now = nowOf(deps);
  const [reminder, settings] = await Promise.all([findAnsweredReminder(deps.db, data.tenantId, data.from, now), loadReminderSettings(deps.db, data.tenantId)]);
  if (!reminder || (data.answer === 'confirm' && !settings.confirmByReply)) {
    await emitSmsEvent(deps.bus, { tenantId: data.tenantId, eventId: `sms:${data.messageId}`, type: 'sms.replied', phone: data.from, messageId: data.messageId }, `sms-event-${data.messageId}`);
    // Not an answer, so a customer's reply like any other (message.received).
    const message = await findMessage(deps.db, data.tenantId, data.messageId);
    if (message) await reportReply(deps, message);
    return 'not-a-reminder-reply';
  }
  const answer = data.answer === 'confirm' ? ('confirmed' as const) : ('reschedule' as const);
  const startMs = reminder.appointmentStart.getTime();
  const outbox = await deps.db.transaction(async (tx) => {
    const answered = await markAppointmentAnswered(tx, reminder, answer, now);
    if (answered.length === 0) return undefined;
    const type = answer === 'confirmed' ? ('appointment.confirmed' as const) : ('appointment.reschedule_requested' as const);
    const eventId = `${data.tenantId}-${type}-${reminder.appointmentId}-${startMs}`;
    const jobs: OutboxJob<FieldhandCatalog>[] = [
      // What receivers hear: reminder.confirmed or reminder.reschedule_requested, once per appointment and start.
      ...reminderEvent({ ...reminder, phone: data.from }, answer === 'confirmed' ? 'confirmed' : 'reschedule_requested', data.messageId),
      {
        name: 'workflow.domain-event',
        jobId: `evt-${eventId}`,
        tenantId: data.tenantId,
        data: { tenantId: data.tenantId, eventId, type, source: 'reminders', subject: { type: 'appointment', id: reminder.appointmentId }, refs: {}, old: null, new: { start: reminder.appointmentStart.toISOString(), phone: data.from }, occurredAt: now.toISOString() },
      },
    ];
    if (answer === 'confirmed') {
      const { write } = await recordVendorWrite(tx, { tenantId: data.tenantId, vendor: 'servicetitan', operation: 'appointment.confirm', key: confirmationKey(reminder), target: { appointmentId: reminder.appointmentId } });
      jobs.push({ name: 'reminders.confirm-appointment', jobId: `st-confirm-${write.id}`, tenantId: data.tenantId, data: { tenantId: data.tenantId, writeId: write.id } });
    }
    return writeOutbox(tx, deps.bus.catalog, jobs);
  });
  if (outbox) await flushOutbox(deps.bus, outbox);
  // Also after a repeat: the first attempt may have committed and died before its reply;
  // the ledger key keeps it to one text.
  await sendAnswerText(deps, reminder, answer, settings);
  if (!outbox) return 'already-answered';
  return answer === 'confirmed' ? 'confirmed' : 'reschedule-requested';
}

async function sendAnswerText(deps: ReminderDeps, reminder: ReminderRow, answer: 'confirmed' | 'reschedule', settings: Awaited<ReturnType<typeof loadReminderSettings>>): Promise<void> {
  const [tenant, appointment] = await Promise.all([findTenant(deps.db, reminder.tenantId), findReminderAppointment(deps.db, reminder.tenantId, reminder.appointmentId)]);
  if (!tenant || !appointment || !reminder.phone) return;
  const context = await findReminderContext(deps.db, reminder.tenantId, appointment);
  const { zone } = recipientWindow({ phone: reminder.phone, state: context.locationState }, tenant.timezone, tenant.twilio?.sendWindow);
  const vars = reminderVars(tenant.name, { ...appointment, startsAt: reminder.appointmentStart }, context, zone);
  const body = renderReminderText(settings, answer === 'confirmed' ? 'confirmed' : 'rescheduleRequested', vars);
  const key = `reminder-${answer}:${reminder.appointmentId}:${reminder.appointmentStart.toISOString()}`;
  await createOutboundMessage(deps.db, deps.bus, { tenantId: reminder.tenantId, to: reminder.phone, body, idempotencyKey: key, location: { state: context.locationState ?? undefined } }, deps.logger);
}
