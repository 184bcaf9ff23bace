import { z } from 'zod';

const phone = z.string().regex(/^\+\d{8,15}$/);
const message = z.object({ messageId: z.uuid(), phone, body: z.string().optional() });
const workflowRun = z.object({ runId: z.uuid(), definitionKey: z.string(), subject: z.object({ type: z.string(), id: z.string() }), phone: phone.nullable().optional(), reason: z.string().optional() });
const reminder = z.object({ reminderId: z.uuid(), appointmentId: z.number().int(), phone, messageId: z.uuid().nullable().optional() });

/**
 * Every event Fieldhand reports: type → the schema of its `data`. Adding an event type
 * touches this catalog only; the OpenAPI document and the endpoint API's `events[]`
 * validation read it. A STOP is a `consent.opted_out`, not also a `message.received`.
 */
export const EVENT_CATALOG = {
  ping: { description: 'A test event sent by POST …/webhook-endpoints/:id/test.', data: z.object({ endpointId: z.uuid() }) },
  'message.received': { description: "A customer's reply that is not a keyword (STOP, START, HELP, C, R).", data: message.extend({ body: z.string(), from: phone, to: phone }) },
  'message.status': { description: 'An outbound text reached a final delivery status.', data: message.extend({ status: z.enum(['delivered', 'undelivered', 'failed']), errorCode: z.number().int().nullable().optional() }) },
  'message.held': { description: 'An outbound text ended `unknown`: it may or may not have been sent, and a person must look.', data: message.extend({ reason: z.string().optional() }) },
  'consent.opted_out': { description: 'A number opted out of texts (STOP, an operator, a carrier or GHL).', data: z.object({ phone, source: z.string(), keyword: z.string().nullable().optional() }) },
  'consent.opted_in': { description: 'A number opted back in (START, an operator or GHL).', data: z.object({ phone, source: z.string(), keyword: z.string().nullable().optional() }) },
  'workflow_run.started': { description: 'A workflow run started.', data: workflowRun },
  'workflow_run.completed': { description: 'A workflow run reached its end.', data: workflowRun },
  'workflow_run.cancelled': { description: 'A workflow run was stopped (sold, replied, opted out, an operator).', data: workflowRun },
  'workflow_run.failed': { description: 'A workflow run failed.', data: workflowRun },
  'reminder.sent': { description: 'An appointment reminder was sent.', data: reminder },
  'reminder.confirmed': { description: 'The customer confirmed the appointment by reply (written to ServiceTitan).', data: reminder },
  'reminder.reschedule_requested': { description: 'The customer asked to reschedule by reply.', data: reminder },
  'sync.failed': { description: 'A sync module keeps failing (its page job exhausted its attempts).', data: z.object({ source: z.string(), module: z.string(), error: z.string() }) },
  'webhook_endpoint.disabled': {
    description: "An event endpoint failed without a success for 3 days and was disabled (re-enable it with PATCH …/webhook-endpoints/:id { disabled: false }).",
    data: z.object({ endpointId: z.uuid(), url: z.string(), reason: z.string(), failingSince: z.iso.datetime({ offset: true }) }),
  },
  'dead_letter.created': { description: 'A job exhausted its attempts and was dead-lettered.', data: z.object({ deadLetterId: z.string(), queue: z.string(), name: z.string(), error: z.string() }) },
} as const satisfies Record<string, { description: string; data: z.ZodType<Record<string, unknown>> }>;

export type EventType = keyof typeof EVENT_CATALOG;
export type EventData<T extends EventType> = z.input<(typeof EVENT_CATALOG)[T]['data']>;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOG, value);
}
