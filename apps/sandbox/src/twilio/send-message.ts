import { isValidPhoneNumber } from 'libphonenumber-js';
import type { TwilioAccount } from '../accounts/account-registry.js';
import { newSid, type MessageLedger, type SandboxMessage } from './message-ledger.js';
import { countSegments } from './segments.js';
import { TwilioError } from './twilio-error.js';

/** Twilio's test-credential magic numbers. */
export const MAGIC_FROM_OK = '+15005550006';
const MAGIC_TO_ERRORS: Record<string, [number, string]> = {
  '+15005550001': [21211, "The 'To' number +15005550001 is not a valid phone number."],
  '+15005550002': [21612, "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS."],
  '+15005550003': [21408, 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number: +15005550003.'],
  '+15005550004': [21610, 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, "'To' number is not a valid mobile number"],
};

export interface SendParams {
  To?: string;
  From?: string;
  MessagingServiceSid?: string;
  Body?: string;
  StatusCallback?: string;
}

/** Validates a send like Twilio does and records the queued message; throws TwilioError. */
export function sendMessage(account: TwilioAccount, ledger: MessageLedger, params: SendParams, nowMs = Date.now()): SandboxMessage {
  const to = params.To?.trim();
  if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
  if (!params.From && !params.MessagingServiceSid) throw new TwilioError(400, 21603, "A 'From' phone number is required.");
  const body = params.Body ?? '';
  if (body === '') throw new TwilioError(400, 21602, 'Message body is required.');
  if (body.length > 1_600) throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

  const magic = MAGIC_TO_ERRORS[to];
  if (magic) throw new TwilioError(400, magic[0], magic[1]);
  if (!isValidPhoneNumber(to)) throw new TwilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);

  // A Messaging Service picks a sender from the account's pool; we take the first number.
  const from = params.From ?? [...account.numbers.keys()][0];
  if (!from || (from !== MAGIC_FROM_OK && !account.numbers.has(from))) {
    throw new TwilioError(400, 21606, `The From phone number ${from ?? ''} is not a valid, SMS-capable inbound phone number or short code for your account.`);
  }
  if (ledger.isOptedOut(to, from)) throw new TwilioError(400, 21610, 'Attempt to send to unsubscribed recipient');

  const message: SandboxMessage = {
    sid: newSid('SM'),
    accountSid: account.accountSid,
    direction: 'outbound-api',
    from,
    to,
    body,
    status: 'queued',
    errorCode: null,
    errorMessage: null,
    numSegments: countSegments(body),
    messagingServiceSid: params.MessagingServiceSid ?? null,
    statusCallback: params.StatusCallback ?? null,
    dateCreatedMs: nowMs,
    dateUpdatedMs: nowMs,
    dateSentMs: null,
    callbacks: [],
  };
  ledger.add(message);
  return message;
}
