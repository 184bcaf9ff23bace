import type { FieldhandCatalog, JobBus, JobInput } from '@fieldhand/queues';

export type SmsEvent = Omit<JobInput<FieldhandCatalog, 'workflow.sms-event'>, 'occurredAt'>;

/**
 * Tells the workflows a customer replied, opted out or opted back in, and has the same
 * news mirrored to GoHighLevel (a reply as a note and call-back task, a consent change as
 * SMS DND): every reply and consent follow-up passes here, so no path can miss GHL. The
 * GHL jobs decide from PostgreSQL (no GHL location, a change GHL made itself, a keyword:
 * nothing to do). `jobId` makes a repeat a no-op.
 */
export async function emitSmsEvent(bus: JobBus<FieldhandCatalog>, event: SmsEvent, jobId: string): Promise<void> {
  await bus.enqueue('workflow.sms-event', { ...event, occurredAt: new Date().toISOString() }, { jobId });
  if (event.type === 'sms.replied') {
    if (event.messageId) await bus.enqueue('ghl.push-reply', { tenantId: event.tenantId, messageId: event.messageId }, { jobId: `ghl-${jobId}` });
    return;
  }
  await bus.enqueue('ghl.push-consent', { tenantId: event.tenantId, phone: event.phone, optedOut: event.type === 'sms.opted_out', eventId: event.eventId }, { jobId: `ghl-${jobId}` });
}
