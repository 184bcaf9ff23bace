import { insertInboundMessage, lockConsent, recordConsent, webhookInbox, type Database, type InboxRow, type TenantRow } from '@fieldhand/db';
import { classifyKeyword } from './keywords.js';
import { countSegments } from './segments.js';
import { twimlResponse } from './twiml.js';

export const INBOUND_PROVIDER = 'twilio-sms';

export type InboundParams = Record<string, string>;
export type InboundResult = { twiml: string; duplicate: boolean; inbox?: InboxRow };

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
 * Records one inbound text in a single transaction: the message (unique on
 * MessageSid), the inbox row for the follow-up job and, for STOP/START, the
 * consent change — all committed before Twilio gets its 200, so an opt-out
 * holds even if Redis is down. A redelivery changes nothing and answers empty.
 */
export async function receiveInbound(db: Database, tenant: TenantRow, params: InboundParams, correlationId: string): Promise<InboundResult> {
  const from = params['From'] ?? '';
  const body = params['Body'] ?? '';
  const keyword = classifyKeyword(body);
  return db.transaction(async (tx) => {
    const message = await insertInboundMessage(tx, {
      tenantId: tenant.id,
      to: params['To'] ?? '',
      from,
      body,
      twilioSid: params['MessageSid'] ?? '',
      segments: Number(params['NumSegments']) || countSegments(body),
      correlationId,
    });
    if (!message) return { twiml: twimlResponse(), duplicate: true };

    if (keyword?.intent === 'opt_out' || keyword?.intent === 'opt_in') {
      // Waits for sends to this number already talking to Twilio; none start after we commit.
      await lockConsent(tx, tenant.id, from, 'exclusive');
      await recordConsent(tx, { tenantId: tenant.id, phone: from, optOut: keyword.intent === 'opt_out', keyword: keyword.keyword, source: 'inbound_sms' });
    }
    const [inbox] = await tx
      .insert(webhookInbox)
      .values({
        provider: INBOUND_PROVIDER,
        externalId: message.twilioSid!,
        tenantId: tenant.id,
        queue: 'sms-inbound',
        jobName: 'sms.inbound',
        payload: { tenantId: tenant.id, messageId: message.id, from, intent: keyword?.intent ?? 'reply' },
        correlationId,
      })
      .onConflictDoNothing()
      .returning();

    // Twilio (Advanced Opt-Out, or a Messaging Service) already confirms its own keywords: one confirmation only.
    const twilioConfirms = Boolean(params['OptOutType']) || Boolean(tenant.twilio?.messagingServiceSid);
    const reply = keyword && !twilioConfirms ? keywordReply(tenant, keyword.intent) : undefined;
    return { twiml: twimlResponse(reply), duplicate: false, ...(inbox ? { inbox } : {}) };
  });
}
