import { findMessage, type Database } from '@fieldhand/db';
import type { FieldhandCatalog, JobBus, JobData } from '@fieldhand/queues';
import { consentEventJobId, followUpConsent } from './consent.js';
import { classifyReminderAnswer } from './keywords.js';
import { flushEventsById } from './message-events.js';
import { inboundChangeId } from './receive-inbound.js';
import { reportReply } from './report-reply.js';
import { emitSmsEvent } from './sms-events.js';

export type InboundJob = JobData<FieldhandCatalog, 'sms.inbound'>;

/**
 * Everything about an inbound text that may wait for a worker: a STOP or START is
 * followed up like every consent change (followUpConsent); a C or R goes to the
 * reminders worker, which treats it as a reminder's answer if a reminder was sent to
 * that number (else as a reply); any other reply is reported (`message.received`) and
 * reaches the workflow engine. HELP needs nothing more: the webhook already answered it,
 * nor does a text from one of the tenant's office numbers (stored, never a customer's reply).
 */
export async function processInbound(deps: { db: Database; bus: JobBus<FieldhandCatalog> }, data: InboundJob): Promise<{ canceled: number; event: string | null }> {
  const eventId = `sms:${data.messageId}`;
  const eventJobId = `sms-event-${data.messageId}`;
  if (data.intent === 'opt_out' || data.intent === 'opt_in') {
    const change = { tenantId: data.tenantId, phone: data.from, optedOut: data.intent === 'opt_out', eventId, messageId: data.messageId };
    const followed = await followUpConsent(deps, change, eventJobId);
    // The webhook's transaction wrote the change's event; it has no bus, so its follow-up enqueues it.
    await flushEventsById(deps, [consentEventJobId(inboundChangeId(data.messageId))]);
    return followed;
  }
  if (data.intent === 'reply') {
    const message = await findMessage(deps.db, data.tenantId, data.messageId);
    const answer = message ? classifyReminderAnswer(message.body) : undefined;
    if (answer) {
      await deps.bus.enqueue('reminders.reply', { tenantId: data.tenantId, messageId: data.messageId, from: data.from, answer }, { jobId: `reminder-reply-${data.messageId}` });
      return { canceled: 0, event: `reminder.${answer}` };
    }
    await emitSmsEvent(deps.bus, { tenantId: data.tenantId, eventId, type: 'sms.replied', phone: data.from, messageId: data.messageId }, eventJobId);
    if (message) await reportReply(deps, message);
    return { canceled: 0, event: 'sms.replied' };
  }
  return { canceled: 0, event: null };
}
