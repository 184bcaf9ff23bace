import { lastInboundAt, OFFICE_ALERT_ORIGIN, OFFICE_REPLY_ORIGIN, type Executor, type MessageRow } from '@fieldhand/db';

/** How long after a customer's text the office's answer is a conversational reply. */
export const CONVERSATIONAL_REPLY_MS = 24 * 60 * 60 * 1000;

/**
 * An office reply (queued through the conversations API) to a number that texted us in
 * the 24 h before `now`: the customer started the exchange, so the send window does not
 * hold the answer back. Consent is not touched here: STOP still blocks it at the gate.
 */
export async function isConversationalReply(db: Executor, message: MessageRow, now: Date): Promise<boolean> {
  if (message.statusHistory[0]?.source !== OFFICE_REPLY_ORIGIN) return false;
  const texted = await lastInboundAt(db, message.tenantId, message.to);
  return texted !== undefined && texted.getTime() > now.getTime() - CONVERSATIONAL_REPLY_MS;
}

/**
 * Whether the send window holds this text back: not for a staff alert (to the office, at
 * any hour) nor a conversational reply. Consent is still checked at the gate for both.
 */
export async function exemptFromSendWindow(db: Executor, message: MessageRow, now: Date): Promise<boolean> {
  if (message.statusHistory[0]?.source === OFFICE_ALERT_ORIGIN) return true;
  return isConversationalReply(db, message, now);
}
