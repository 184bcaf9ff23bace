import { z } from 'zod';
import 'zod-openapi';
import { WEBHOOK_DELIVERY_STATUSES } from '@fieldhand/db';
import { eventBodySchemas, EVENT_TYPES, isEventType } from '@fieldhand/events';
import { pageQuery } from './common.js';

// Event types come from the catalog: an unknown one is a 400 that names it.
const eventTypes = z
  .array(z.string().max(100))
  .min(1)
  .max(EVENT_TYPES.length)
  .superRefine((types, ctx) => {
    types.forEach((type, index) => {
      if (!isEventType(type)) ctx.addIssue({ code: 'custom', path: [index], message: `unknown event type ${type}; known: ${EVENT_TYPES.join(', ')}` });
    });
  })
  .meta({ description: `Event types to receive: ${EVENT_TYPES.join(', ')}`, example: ['message.received', 'consent.opted_out'] });

const endpointUrl = z.string().max(2_000).meta({ description: 'Where events are POSTed: https in production; never a loopback, private, link-local or metadata address (unless WEBHOOK_ALLOW_PRIVATE_URLS)' });

export const createWebhookEndpointBody = z
  .strictObject({ url: endpointUrl, events: eventTypes, description: z.string().max(500).optional() })
  .meta({ id: 'CreateWebhookEndpoint' });

export const updateWebhookEndpointBody = z
  .strictObject({
    url: endpointUrl.optional(),
    events: eventTypes.optional(),
    description: z.string().max(500).nullable().optional(),
    disabled: z.boolean().optional().meta({ description: 'true stops deliveries; false enables it again (and restarts the 3-day failure count)' }),
  })
  .meta({ id: 'UpdateWebhookEndpoint' });

export const webhookEndpointResponse = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    disabled: z.boolean(),
    disabledAt: z.iso.datetime().nullable(),
    disabledReason: z.string().nullable().meta({ description: 'Why: by request, or the endpoint failed without a success for 3 days' }),
    failingSince: z.iso.datetime().nullable().meta({ description: 'The first failed attempt since the last success' }),
    previousSecretExpiresAt: z.iso.datetime().nullable().meta({ description: 'After a rotation: until then the previous secret signs beside the new one' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookEndpointList = z.object({ data: z.array(webhookEndpointResponse) }).meta({ id: 'WebhookEndpointList' });

const secret = z.string().meta({ description: 'The signing secret (Standard Webhooks, `whsec_…`): shown in this response only', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });

export const createdWebhookEndpointResponse = webhookEndpointResponse.extend({ secret }).meta({ id: 'CreatedWebhookEndpoint' });
export const rotatedSecretResponse = z
  .object({ id: z.uuid(), secret, previousSecretExpiresAt: z.iso.datetime().meta({ description: 'The old secret signs beside the new one until then' }) })
  .meta({ id: 'RotatedWebhookSecret' });

/** Every event an endpoint can receive, by type, documented from the event catalog. */
export const webhookEvent = z
  .discriminatedUnion(
    'type',
    eventBodySchemas().map(({ type, description, schema }) => schema.meta({ id: `WebhookEvent_${type.replace(/\W/g, '_')}`, description })) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .meta({
    id: 'WebhookEvent',
    description:
      'The JSON body POSTed to an endpoint, signed by the Standard Webhooks spec: `webhook-id` (the event id, the same on every attempt: deduplicate by it), ' +
      '`webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>`, two during a secret rotation). A 2xx within 10 s is success; ' +
      'otherwise it is tried again after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h. Redirects are not followed. Ordering is not promised.',
  });

const attempt = z
  .object({
    attempt: z.number().int(),
    at: z.iso.datetime(),
    statusCode: z.number().int().nullable().meta({ description: "The endpoint's HTTP status; null when no answer came (refused, timed out)" }),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    nextAttemptAt: z.iso.datetime().nullable().meta({ description: 'When the next attempt was scheduled after this one' }),
  })
  .meta({ id: 'WebhookAttempt' });

export const webhookDeliveryResponse = z
  .object({
    id: z.uuid(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.array(attempt),
    nextAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    event: webhookEvent.optional().meta({ description: 'The body that is sent' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryQuery = pageQuery;

export const testEventResponse = z.object({ eventId: z.string() }).meta({ id: 'WebhookTestEvent' });
export const retryResponse = z.object({ deliveryId: z.uuid(), jobId: z.string() }).meta({ id: 'WebhookRetry' });
