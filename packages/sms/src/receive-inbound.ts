import { randomUUID } from 'node:crypto';
import { insertInboundTexts, type Database, type InboundText, type InboxJob, type TenantRow } from '@fieldhand/db';
import { inboxJob, jobCatalog } from '@fieldhand/queues';
import { changeConsent } from './consent.js';
import { classifyKeyword } from './keywords.js';
import { isOfficeNumber } from './office-alerts.js';
import { countSegments } from './segments.js';
import { twimlResponse } from './twiml.js';

export const INBOUND_PROVIDER = 'twilio-sms';

export type InboundParams = Record<string, string>;
export type InboundResult = { twiml: string; duplicate: boolean; inbox?: InboxJob };
/** Stores a text that changes no consent; the API batches these across concurrent webhooks. */
export type StoreInboundText = (text: InboundText) => Promise<InboxJob | undefined>;

/** The consent change an inbound STOP/START makes is named after its text: a redelivery reports nothing new. */
export const inboundChangeId = (messageId: string): string => `msg-${messageId}`;

/** The one confirmation or HELP text allowed in answer to a keyword. */
export function keywordReply(tenant: TenantRow, intent: 'opt_out' | 'opt_in' | 'help'): string {
  const name = tenant.name;
  const contact = tenant.twilio?.from ? ` or call ${tenant.twilio.from}` : '';
  switch (intent) {
    case 'opt_out':
      return `${name}: You are unsubscribed and will receive no more messages from us. Reply START to resubscribe.`;
    case 'opt_in':
      return `${name}: You are resubscribed to messages from us. Reply HELP for help, STOP to unsubscribe.`;
    case 'help':
      return `${name}: appointment and service messages. For help reply here${contact}. Msg frequency varies. Msg & data rates may apply. Reply STOP to unsubscribe.`;
  }
}

/**
 * Records one inbound text: the message (unique on MessageSid), the inbox row for
 * its sms.inbound job and, for STOP/START, the consent change — all committed before
 * Twilio gets its 200, so an opt-out holds even if Redis is down. A plain reply is
 * one statement; a keyword adds the consent change in the same transaction. A
 * redelivery changes nothing and answers empty.
 */
export async function receiveInbound(
  db: Database,
  tenant: TenantRow,
  params: InboundParams,
  correlationId: string,
  store: StoreInboundText = async (text) => (await insertInboundTexts(db, [text]))[0],
): Promise<InboundResult> {
  const from = params['From'] ?? '';
  const body = params['Body'] ?? '';
  const keyword = classifyKeyword(body);
  // A text from one of the tenant's office numbers is the office talking, not a customer's reply (its STOP still counts).
  const intent = keyword?.intent ?? (isOfficeNumber(tenant, from) ? 'office' : 'reply');
  const id = randomUUID();
  const text: InboundText = {
    id,
    tenantId: tenant.id,
    to: params['To'] ?? '',
    from,
    body,
    twilioSid: params['MessageSid'] ?? '',
    segments: Number(params['NumSegments']) || countSegments(body),
    correlationId,
    inbox: { provider: INBOUND_PROVIDER, ...inboxJob(jobCatalog, 'sms.inbound', { tenantId: tenant.id, messageId: id, from, intent }) },
  };
  if (keyword?.intent !== 'opt_out' && keyword?.intent !== 'opt_in') {
    const inbox = await store(text);
    if (!inbox) return { twiml: twimlResponse(), duplicate: true };
    return { twiml: twimlResponse(keyword ? confirmation(tenant, params, keyword.intent) : undefined), duplicate: false, inbox };
  }
  return db.transaction(async (tx) => {
    const [inbox] = await insertInboundTexts(tx, [text]);
    if (!inbox) return { twiml: twimlResponse(), duplicate: true };
    // The inbox row's sms.inbound job follows the change up, and enqueues its event (consentEventJobId(`msg-<id>`)).
    await changeConsent(tx, { tenantId: tenant.id, phone: from, optOut: keyword.intent === 'opt_out', keyword: keyword.keyword, source: 'inbound_sms' }, inboundChangeId(id));
    return { twiml: twimlResponse(confirmation(tenant, params, keyword.intent)), duplicate: false, inbox };
  });
}

/** Twilio (Advanced Opt-Out, or a Messaging Service) already confirms its own keywords: one confirmation only. */
function confirmation(tenant: TenantRow, params: InboundParams, intent: 'opt_out' | 'opt_in' | 'help'): string | undefined {
  const twilioConfirms = Boolean(params['OptOutType']) || Boolean(tenant.twilio?.messagingServiceSid);
  return twilioConfirms ? undefined : keywordReply(tenant, intent);
}
