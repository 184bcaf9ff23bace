import { z } from 'zod';
import 'zod-openapi';
import { EVENT_TYPES, isEventType } from '@fieldhand/events';
import { isTimeZone } from './common.js';

const secret = z.string().min(1).max(4096).meta({ writeOnly: true, description: 'Write-only: never returned' });

const serviceTitanInput = z
  .strictObject({
    // Digits only: it goes into ServiceTitan URL paths.
    tenantId: z.string().regex(/^\d{1,20}$/, 'must be the numeric ServiceTitan tenant id').meta({ description: 'The ServiceTitan tenant id', example: '1234567890' }),
    clientId: z.string().min(1).max(256),
    clientSecret: secret,
    appKey: secret,
  })
  .meta({ id: 'ServiceTitanCredentialsInput' });

const ghlId = z.string().min(1).max(128);
const estimatePipeline = z
  .strictObject({
    pipelineId: ghlId,
    openStageId: ghlId,
    soldStageId: ghlId.optional(),
    lostStageId: ghlId.optional(),
  })
  .meta({
    id: 'GhlEstimatePipeline',
    description:
      "Where ServiceTitan estimates become GHL opportunities: ids of one of the tenant's synced GHL pipelines and its stages (400 naming an id that is not). " +
      'Sold estimates move to soldStageId (won), dismissed ones to lostStageId (lost); without one the stage stays. Saving a changed one pushes every estimate.',
  });

const ghlInput = z
  .strictObject({
    locationId: ghlId,
    token: secret,
    // Omitted: the stored one stays (while the location does); null removes it.
    estimatePipeline: estimatePipeline.nullable().optional(),
  })
  .meta({ id: 'GhlCredentialsInput' });

const twilioInput = z
  .strictObject({
    from: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +15551234567').optional(),
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG + 32 hex digits').optional(),
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits').optional(),
    authToken: secret.optional(),
    sendWindow: z
      .strictObject({ start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) })
      .refine((w) => w.start < w.end, { message: 'start must be before end' })
      // The federal rule (TCPA): no marketing texts before 08:00 or after 21:00 recipient time.
      .refine((w) => w.start >= '08:00' && w.end <= '21:00', { message: "must lie within 08:00–21:00, the federal window in the recipient's time zone" })
      .optional()
      .meta({ description: "Local send window for follow-ups and reminders in the recipient's zone (default 08:00–21:00; FL/OK/MD end at 20:00 at the latest)" }),
    segmentsPerSecond: z.number().min(0).max(1000).optional().meta({ description: 'Throughput per sender number (default SMS_SEGMENTS_PER_SECOND); 0 = no limit' }),
  })
  .refine((t) => Boolean(t.from) || Boolean(t.messagingServiceSid), { message: 'give from or messagingServiceSid' })
  .refine((t) => !t.authToken || t.accountSid, { message: 'authToken needs accountSid', path: ['accountSid'] })
  .meta({
    id: 'TwilioSettingsInput',
    description: 'Sender (`from` or `messagingServiceSid`); credentials default to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN',
  });

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +15551234567');
const alertEvents = EVENT_TYPES.filter((t) => t !== 'ping');
const alertsInput = z
  .strictObject({
    replyTo: z.array(e164).min(1).max(5).meta({ description: "The office's mobile numbers: each gets the alerts by text (at most 5 texts a minute, the rest in one summary)" }),
    events: z
      .array(z.string())
      .min(1)
      .max(alertEvents.length)
      .superRefine((types, ctx) => {
        types.forEach((type, index) => {
          if (!isEventType(type) || type === 'ping') ctx.addIssue({ code: 'custom', path: [index], message: `unknown event type ${type}; known: ${alertEvents.join(', ')}` });
        });
      })
      .optional()
      .meta({ description: 'Event types forwarded (default: message.received, message.held, sync.failed, webhook_endpoint.disabled)' }),
  })
  .meta({
    id: 'AlertSettingsInput',
    description: "Office alerts by text: a customer's reply, a held text, a failing sync, forwarded to the office at any hour (the customers' send window does not apply). The office numbers' own texts are not customer replies.",
  });

const name = z.string().trim().min(1).max(200);
const timezone = z
  .string()
  .refine(isTimeZone, 'must be an IANA time zone such as America/Chicago')
  .meta({ example: 'America/Chicago' });

export const createTenantBody = z
  .strictObject({
    name,
    timezone,
    servicetitan: serviceTitanInput.optional(),
    ghl: ghlInput.optional(),
    twilio: twilioInput.optional(),
    alerts: alertsInput.optional(),
  })
  .meta({ id: 'CreateTenant' });

// Vendor blocks are replaced whole (their secrets cannot be read back to merge); null removes one.
export const updateTenantBody = z
  .strictObject({
    name: name.optional(),
    timezone: timezone.optional(),
    servicetitan: serviceTitanInput.nullable().optional(),
    ghl: ghlInput.nullable().optional(),
    twilio: twilioInput.nullable().optional(),
    alerts: alertsInput.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one field to change' })
  .meta({ id: 'UpdateTenant' });

/** What a caller sees of a tenant: identifiers only. Unknown keys are stripped on the way out. */
export const tenantResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    timezone: z.string(),
    servicetitan: z.object({ tenantId: z.string(), clientId: z.string(), configured: z.literal(true) }).nullable(),
    ghl: z
      .object({
        locationId: z.string(),
        configured: z.literal(true),
        estimatePipeline: z.object({ pipelineId: z.string(), openStageId: z.string(), soldStageId: z.string().optional(), lostStageId: z.string().optional() }).nullable(),
      })
      .nullable(),
    twilio: z
      .object({
        from: z.string().nullable(),
        messagingServiceSid: z.string().nullable(),
        accountSid: z.string().nullable(),
        hasOwnAuthToken: z.boolean(),
        sendWindow: z.object({ start: z.string(), end: z.string() }).nullable(),
        segmentsPerSecond: z.number().nullable(),
      })
      .nullable(),
    alerts: z.object({ replyTo: z.array(z.string()), events: z.array(z.string()).nullable() }).nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Tenant' });
