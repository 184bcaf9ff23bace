import { and, eq } from 'drizzle-orm';
import { markInboxProcessed, messages, transitionMessage, type Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';

export type InboundJob = { tenantId: string; messageId: string; from: string; intent: 'opt_out' | 'opt_in' | 'help' | 'reply' };

const EVENT: Record<InboundJob['intent'], 'sms.opted_out' | 'sms.opted_in' | 'sms.replied' | undefined> = {
  opt_out: 'sms.opted_out',
  opt_in: 'sms.opted_in',
  reply: 'sms.replied',
  help: undefined,
};

/**
 * Everything about an inbound text that may wait for a worker: queued sends to
 * an opted-out number are canceled (the send worker would refuse them anyway),
 * and the workflow engine hears about the reply or the opt-out.
 */
export async function processInbound(
  deps: { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger },
  data: InboundJob,
  inboxId: string | undefined,
): Promise<{ canceled: number; event: string | null }> {
  let canceled = 0;
  if (data.intent === 'opt_out') {
    const queued = await deps.db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.tenantId, data.tenantId), eq(messages.to, data.from), eq(messages.direction, 'outbound'), eq(messages.status, 'queued')));
    for (const row of queued) {
      if (await transitionMessage(deps.db, row.id, ['queued'], { status: 'canceled', source: 'consent', errorMessage: 'recipient opted out' })) canceled++;
    }
  }
  const type = EVENT[data.intent];
  if (type) {
    await deps.bus.enqueue(
      'workflow.sms-event',
      { tenantId: data.tenantId, eventId: `sms:${data.messageId}`, type, phone: data.from, messageId: data.messageId, occurredAt: new Date().toISOString() },
      { jobId: `sms-event-${data.messageId}` },
    );
  }
  if (inboxId) await markInboxProcessed(deps.db, inboxId);
  return { canceled, event: type ?? null };
}
