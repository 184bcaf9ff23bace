import type { Database } from '@fieldhand/db';
import type { FieldhandCatalog, JobBus, JobData } from '@fieldhand/queues';
import { followUpConsent } from './consent.js';
import { emitSmsEvent } from './sms-events.js';

export type InboundJob = JobData<FieldhandCatalog, 'sms.inbound'>;

/**
 * Everything about an inbound text that may wait for a worker: a STOP or START is
 * followed up like every consent change (followUpConsent), and a reply reaches the
 * workflow engine. HELP needs nothing more: the webhook already answered it.
 */
export async function processInbound(deps: { db: Database; bus: JobBus<FieldhandCatalog> }, data: InboundJob): Promise<{ canceled: number; event: string | null }> {
  const eventId = `sms:${data.messageId}`;
  const eventJobId = `sms-event-${data.messageId}`;
  if (data.intent === 'opt_out' || data.intent === 'opt_in') {
    const change = { tenantId: data.tenantId, phone: data.from, optedOut: data.intent === 'opt_out', eventId, messageId: data.messageId };
    return followUpConsent(deps, change, eventJobId);
  }
  if (data.intent === 'reply') {
    await emitSmsEvent(deps.bus, { tenantId: data.tenantId, eventId, type: 'sms.replied', phone: data.from, messageId: data.messageId }, eventJobId);
    return { canceled: 0, event: 'sms.replied' };
  }
  return { canceled: 0, event: null };
}
