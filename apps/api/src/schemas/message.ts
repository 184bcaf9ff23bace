import { z } from 'zod';
import 'zod-openapi';
import { normalizePhone } from '@fieldhand/phone';
import { isTimeZone, pageQuery } from './common.js';

/** A phone number in any common form, normalised to E.164 (US default region). */
export const phoneInput = z
  .string()
  .min(3)
  .max(40)
  .transform((value, ctx) => {
    const e164 = normalizePhone(value);
    if (!e164) {
      ctx.addIssue({ code: 'custom', message: 'not a valid phone number' });
      return z.NEVER;
    }
    return e164;
  })
  .meta({ example: '+15125550123', description: 'E.164 or a US national number' });

export const sendMessageBody = z
  .strictObject({
    to: z.string().min(1).max(40).meta({ example: '+15125550123' }),
    body: z.string().min(1).max(1600).optional(),
    template: z.string().min(1).max(1600).optional().meta({ description: 'Text with {{name}} placeholders, filled from `vars`' }),
    vars: z.record(z.string(), z.union([z.string().max(500), z.number()])).optional(),
    idempotencyKey: z.string().min(1).max(200).optional().meta({ description: 'Same key, same message (also the Idempotency-Key header)' }),
    location: z
      .strictObject({
        state: z.string().regex(/^[A-Za-z]{2}$/).optional().meta({ example: 'FL' }),
        timezone: z.string().refine(isTimeZone, 'must be an IANA time zone').optional(),
      })
      .optional()
      .meta({ description: "The service location's address: decides the recipient's quiet hours" }),
  })
  .refine((b) => (b.body === undefined) !== (b.template === undefined), { message: 'give body or template (with vars), not both' })
  .meta({ id: 'SendMessage' });

const statusEntry = z.object({ status: z.string(), at: z.string(), source: z.string(), errorCode: z.number().int().nullable().optional() });

export const messageResponse = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    direction: z.enum(['outbound', 'inbound']),
    to: z.string(),
    from: z.string().nullable(),
    body: z.string(),
    status: z.string().meta({ description: 'queued, sending, accepted, sent, delivered, undelivered, failed, canceled, unknown; inbound: received' }),
    twilioSid: z.string().nullable(),
    errorCode: z.number().int().nullable(),
    errorMessage: z.string().nullable(),
    segments: z.number().int(),
    statusHistory: z.array(statusEntry),
    idempotencyKey: z.string().nullable(),
    sendAfter: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Message' });

export const messageQuery = pageQuery.extend({
  phone: phoneInput.optional().meta({ description: "The customer's number (to on outbound, from on inbound)" }),
  direction: z.enum(['inbound', 'outbound']).optional(),
  status: z.string().max(20).optional(),
});

export const consentBody = z
  .strictObject({
    optedOut: z.boolean(),
    keyword: z.string().max(160).optional().meta({ description: 'How the customer asked, e.g. "told the technician"' }),
    source: z.enum(['api', 'ghl']).default('api'),
  })
  .meta({ id: 'ConsentChange' });

export const consentResponse = z
  .object({
    phone: z.string(),
    optedOut: z.boolean(),
    changedAt: z.iso.datetime().nullable(),
    keyword: z.string().nullable(),
    source: z.string().nullable(),
  })
  .meta({ id: 'Consent' });
