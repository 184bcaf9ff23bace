import type { FieldhandCatalog, JobBus, JobInput } from '@fieldhand/queues';

export type SmsEvent = Omit<JobInput<FieldhandCatalog, 'workflow.sms-event'>, 'occurredAt'>;

/** Tells the workflows a customer replied, opted out or opted back in; `jobId` makes a repeat a no-op. */
export async function emitSmsEvent(bus: JobBus<FieldhandCatalog>, event: SmsEvent, jobId: string): Promise<void> {
  await bus.enqueue('workflow.sms-event', { ...event, occurredAt: new Date().toISOString() }, { jobId });
}
