import { insertOutboundMessage, OFFICE_ALERT_ORIGIN, OFFICE_REPLY_ORIGIN, type Database, type MessageRow } from '@fieldhand/db';
import { currentCorrelationId, type Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { normalizePhone } from '@fieldhand/phone';
import { countSegments } from './segments.js';
import { assertTextLength, renderTemplate } from './template.js';

export class InvalidPhoneNumberError extends Error {
  constructor(readonly input: string) {
    super('Not a valid phone number');
    this.name = 'InvalidPhoneNumberError';
  }
}

export type OutboundRequest = {
  tenantId: string;
  to: string;
  body?: string | undefined;
  template?: string | undefined;
  vars?: Record<string, string | number> | undefined;
  idempotencyKey?: string | undefined;
  /** The service location, when the caller knows it: decides the recipient's quiet hours. */
  location?: { state?: string | undefined; timezone?: string | undefined } | undefined;
  /** Not after this instant (a reminder's appointment): past it the text is canceled, not sent late. */
  sendBefore?: Date | undefined;
  /** BullMQ priority of the send job; unset sends first (see NEW_WORK_PRIORITY). */
  priority?: number | undefined;
  /** The office answering a thread: within 24 h of the customer's text the send window does not hold it (conversational-reply.ts). */
  officeReply?: boolean | undefined;
  /** A staff alert to an office number (office-alerts.ts): the customers' send window does not hold it. */
  officeAlert?: boolean | undefined;
};

/** Job id of a message's first send job: enqueueing it again (same idempotency key) is a no-op. */
export const sendJobId = (messageId: string): string => `sms-send-${messageId}`;

/**
 * Writes the ledger row (or finds the one with the same idempotency key) and
 * enqueues its send. Throws InvalidPhoneNumberError, TemplateError or TextTooLongError
 * for bad input. Once the row is stored the text will go out: if the enqueue fails
 * (Redis down), the sends reconciler enqueues it later, so this still succeeds and a
 * client never retries into a second text.
 */
export async function createOutboundMessage(db: Database, bus: JobBus<FieldhandCatalog>, request: OutboundRequest, logger: Logger): Promise<{ message: MessageRow; created: boolean }> {
  const to = normalizePhone(request.to);
  if (!to) throw new InvalidPhoneNumberError(request.to);
  const body = request.template !== undefined ? renderTemplate(request.template, request.vars ?? {}) : assertTextLength(request.body ?? '');
  const result = await insertOutboundMessage(db, {
    tenantId: request.tenantId,
    direction: 'outbound',
    to,
    body,
    status: 'queued',
    segments: countSegments(body),
    idempotencyKey: request.idempotencyKey ?? null,
    recipientState: request.location?.state?.toUpperCase() ?? null,
    recipientTimezone: request.location?.timezone ?? null,
    sendBefore: request.sendBefore ?? null,
    correlationId: currentCorrelationId() ?? null,
  }, request.officeAlert ? OFFICE_ALERT_ORIGIN : request.officeReply ? OFFICE_REPLY_ORIGIN : 'api');
  // Also on a repeat: the first request may have stored the row and lost the enqueue.
  if (result.message.status === 'queued') {
    await bus
      .enqueue('sms.send', { tenantId: request.tenantId, messageId: result.message.id }, { jobId: sendJobId(result.message.id), ...(request.priority !== undefined ? { priority: request.priority } : {}) })
      .catch((err: unknown) => logger.warn({ err, messageId: result.message.id }, 'could not enqueue a stored text; the sends reconciler will'));
  }
  return result;
}
