import { findOutboxByJobIds, type Database, type Executor, type MessageRow, type OutboxRow } from '@fieldhand/db';
import { eventJob, type EventJob } from '@fieldhand/events';
import { flushOutbox, jobCatalog, writeOutbox, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';

const E164 = /^\+\d{8,15}$/;
const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed']);

/** Whether a ledger status is one `message.status` reports. */
export const isReportedStatus = (status: string): status is 'delivered' | 'undelivered' | 'failed' => FINAL_STATUSES.has(status);

// A number Twilio hands us that is not E.164 (a short code, an alphanumeric sender) has no event: the catalog's phone is E.164.
export const reportable = (...phones: string[]): boolean => phones.every((p) => E164.test(p));

/** `message.received`: a customer's reply that is neither a keyword nor a reminder's answer. */
export function messageReceivedEvent(message: Pick<MessageRow, 'id' | 'tenantId' | 'from' | 'to' | 'body' | 'createdAt'>): EventJob | undefined {
  if (!message.from || !reportable(message.from, message.to)) return undefined;
  const data = { messageId: message.id, phone: message.from, body: message.body, from: message.from, to: message.to };
  return eventJob(message.tenantId, 'message.received', data, { id: `msg-received-${message.id}`, at: message.createdAt });
}

export const messageStatusEventId = (messageId: string, status: string): string => `msg-${messageId}-${status}`;

/** `message.status`: an outbound text reached delivered, undelivered or failed. */
export function messageStatusEvent(message: Pick<MessageRow, 'id' | 'tenantId' | 'to'>, status: string, errorCode: number | null): EventJob | undefined {
  if (!isReportedStatus(status) || !reportable(message.to)) return undefined;
  return eventJob(message.tenantId, 'message.status', { messageId: message.id, phone: message.to, status, errorCode }, { id: messageStatusEventId(message.id, status) });
}

/** `message.held`: an outbound text ended `unknown`, for a person to look at. */
export function messageHeldEvent(message: Pick<MessageRow, 'id' | 'tenantId' | 'to' | 'body'>, reason: string): EventJob | undefined {
  if (!reportable(message.to)) return undefined;
  return eventJob(message.tenantId, 'message.held', { messageId: message.id, phone: message.to, body: message.body, reason }, { id: `msg-${message.id}-held` });
}

/** Writes the events that apply (in the caller's transaction). */
export function writeEvents(tx: Executor, events: ReadonlyArray<EventJob | undefined>): Promise<OutboxRow[]> {
  return writeOutbox(tx, jobCatalog, events.filter((e): e is EventJob => e !== undefined));
}

/**
 * Enqueues event rows a writer committed without the bus at hand (the inbound webhook, a
 * send's consent gate): the job that follows the fact up flushes them by job id. Rows
 * already handled are gone, so a repeat adds nothing.
 */
export async function flushEventsById(deps: { db: Database; bus: JobBus<FieldhandCatalog> }, jobIds: readonly string[]): Promise<number> {
  return flushOutbox(deps.bus, await findOutboxByJobIds(deps.db, jobIds));
}

/** The outbox job id of an event id (see eventJob). */
export const eventJobId = (id: string): string => `ev-${id}`;
