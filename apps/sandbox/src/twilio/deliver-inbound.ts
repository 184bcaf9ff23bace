import type { AccountRegistry } from '../accounts/account-registry.js';
import { newSid, type MessageLedger, type SandboxMessage } from './message-ledger.js';
import { API_VERSION } from './message-resource.js';
import { optOutTypeOf } from './opt-out-keywords.js';
import { postSignedForm } from './post-signed-form.js';
import { countSegments } from './segments.js';

export class UnknownNumberError extends Error {}

// Twilio's default opt-out replies (sent by Twilio itself, not by the webhook).
const AUTO_REPLIES: Record<string, string> = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe.',
};

function recordOutbound(ledger: MessageLedger, accountSid: string, from: string, to: string, body: string): void {
  const now = Date.now();
  ledger.add({
    sid: newSid('SM'),
    accountSid,
    direction: 'outbound-reply',
    from,
    to,
    body,
    status: 'delivered',
    errorCode: null,
    errorMessage: null,
    numSegments: countSegments(body),
    messagingServiceSid: null,
    statusCallback: null,
    dateCreatedMs: now,
    dateUpdatedMs: now,
    dateSentMs: now,
    callbacks: [],
  });
}

function twimlMessages(twiml: string): string[] {
  const decode = (text: string): string =>
    text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return [...twiml.matchAll(/<Message[^>]*>([\s\S]*?)<\/Message>/g)].map((match) => decode((match[1] ?? '').replace(/<\/?Body>/g, '').trim()));
}

/**
 * A customer texts one of our numbers: record it, apply Twilio's opt-out handling, and
 * POST the signed inbound webhook to the number's SmsUrl exactly as Twilio would.
 */
export async function deliverInbound(accounts: AccountRegistry, ledger: MessageLedger, text: { from: string; to: string; body: string }): Promise<SandboxMessage> {
  const account = accounts.twilioOwnerOf(text.to);
  if (!account) throw new UnknownNumberError(`no sandbox account owns ${text.to}`);
  const number = account.numbers.get(text.to);
  const now = Date.now();
  const message: SandboxMessage = {
    sid: newSid('SM'),
    accountSid: account.accountSid,
    direction: 'inbound',
    from: text.from,
    to: text.to,
    body: text.body,
    status: 'received',
    errorCode: null,
    errorMessage: null,
    numSegments: countSegments(text.body),
    messagingServiceSid: null,
    statusCallback: null,
    dateCreatedMs: now,
    dateUpdatedMs: now,
    dateSentMs: now,
    callbacks: [],
  };
  ledger.add(message);

  const optOutType = optOutTypeOf(text.body);
  if (optOutType === 'STOP') ledger.setOptOut(text.from, text.to, true);
  if (optOutType === 'START') ledger.setOptOut(text.from, text.to, false);
  const autoReply = optOutType ? AUTO_REPLIES[optOutType] : undefined;
  if (autoReply) recordOutbound(ledger, account.accountSid, text.to, text.from, autoReply);

  if (!number?.smsUrl) return message;
  const params: Record<string, string> = {
    ToCountry: 'US',
    ToState: '',
    SmsMessageSid: message.sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: message.sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: text.body,
    FromCountry: 'US',
    To: text.to,
    ToZip: '',
    NumSegments: String(message.numSegments),
    MessageSid: message.sid,
    AccountSid: account.accountSid,
    From: text.from,
    ApiVersion: API_VERSION,
  };
  if (optOutType) params['OptOutType'] = optOutType;
  const result = await postSignedForm(number.smsUrl, account.authToken, params);
  message.webhook = { url: number.smsUrl, httpStatus: result.httpStatus, error: result.error };
  // A <Message> in the TwiML answer is texted back to the customer.
  if (result.httpStatus !== null && result.httpStatus < 300) {
    for (const reply of twimlMessages(result.body)) recordOutbound(ledger, account.accountSid, text.to, text.from, reply);
  }
  return message;
}
