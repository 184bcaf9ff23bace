import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

export const SMS_EVENT_TYPES = ['sms.replied', 'sms.opted_out', 'sms.opted_in'] as const;

export const smsJobs = {
  // Sends one outbound message; the messages row holds everything else.
  'sms.send': {
    queue: 'sms-send',
    schema: tenantScoped.extend({ tenantId: z.uuid(), messageId: z.uuid() }),
  },
  // The follow-up work of one inbound text (its consent change is already committed by the webhook).
  'sms.inbound': {
    queue: 'sms-inbound',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      messageId: z.uuid(),
      from: z.string().min(1),
      // office: a text from one of the tenant's office numbers (alerts.replyTo), not a customer's reply.
      intent: z.enum(['opt_out', 'opt_in', 'help', 'reply', 'office']),
    }),
  },
  // The follow-up of a consent change that came with no inbound text (an operator's PUT
  // …/consent): what sms.inbound does after a STOP or START, written to the outbox.
  'sms.consent-changed': {
    queue: 'sms-inbound',
    schema: tenantScoped.extend({ tenantId: z.uuid(), phone: z.string().min(1), optedOut: z.boolean(), eventId: z.string().min(1).max(200) }),
  },
  // A delivery status Twilio reported before the send had stored the MessageSid (it can
  // call back before our commit): applied once the SID is known, retried until then.
  'sms.status': {
    queue: 'sms-status',
    schema: tenantScoped.extend({ messageSid: z.string().min(1), status: z.string().min(1), errorCode: z.number().int().nullable() }),
  },
  // For the workflows worker: a customer replied, opted out or opted back in.
  'workflow.sms-event': {
    queue: 'workflow',
    schema: tenantScoped.extend({
      tenantId: z.uuid(),
      eventId: z.string().min(1).max(200),
      type: z.enum(SMS_EVENT_TYPES),
      phone: z.string().min(1),
      // The text that carried it; none for an opt-out given by other means.
      messageId: z.uuid().optional(),
      occurredAt: z.string().min(1),
    }),
  },
} as const;
