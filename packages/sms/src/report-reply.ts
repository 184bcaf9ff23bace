import type { Database, MessageRow } from '@fieldhand/db';
import { flushOutbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { messageReceivedEvent, writeEvents } from './message-events.js';

/**
 * Reports a customer's reply (`message.received`) once it is known to be one: not a
 * keyword (the webhook decided) and not a reminder's answer (the reminders worker decides,
 * and calls this when it is not). The text and the inbox row of the job calling this were
 * committed in one statement; the event's row is written before that job is marked
 * processed, so a reply stored is a reply reported. Its id is the message's, so a retry
 * reports the same event. Written last, so only a crash before the job is marked done
 * writes it twice (receivers deduplicate by id).
 */
export async function reportReply(deps: { db: Database; bus: JobBus<FieldhandCatalog> }, message: MessageRow): Promise<void> {
  if (message.direction !== 'inbound') return;
  const rows = await writeEvents(deps.db, [messageReceivedEvent(message)]);
  // Redis down now: the outbox reconciler enqueues it; failing here would only write it again.
  await flushOutbox(deps.bus, rows).catch(() => 0);
}
