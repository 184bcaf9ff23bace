import type { SandboxMessage } from './message-ledger.js';

export const API_VERSION = '2010-04-01';

/** Twilio prints dates as RFC 2822 with a numeric zone: "Thu, 30 Jul 2015 20:12:31 +0000". */
export function rfc2822(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toUTCString().replace('GMT', '+0000');
}

export function messageUri(message: SandboxMessage): string {
  return `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}.json`;
}

/** The Message resource as Twilio's REST API returns it. */
export function messageResource(message: SandboxMessage): Record<string, unknown> {
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreatedMs),
    date_sent: rfc2822(message.dateSentMs),
    date_updated: rfc2822(message.dateUpdatedMs),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: '0',
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: messageUri(message).replace('.json', '/Media.json'), feedback: messageUri(message).replace('.json', '/Feedback.json') },
    to: message.to,
    uri: messageUri(message),
  };
}
