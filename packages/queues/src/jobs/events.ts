import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

const forTenant = tenantScoped.extend({ tenantId: z.uuid() });
const systemWide = tenantScoped.extend({ tenantId: z.null().default(null) });

/**
 * The envelope of one event for the tenant's endpoints (and office alerts). Its `data`
 * is checked against the event catalog (`@fieldhand/events`) by `eventJob`, the one way
 * an event is produced: written to the outbox in the transaction of the fact it reports.
 */
export const eventEnvelope = forTenant.extend({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

/** One event to one endpoint: one attempt per job; the delivery row holds the state and the schedule. */
export const deliverySchema = forTenant.extend({
  eventId: z.string().min(1).max(200),
  endpointId: z.uuid(),
  // Asked for by hand (POST …/deliveries/:id/retry): a failure after the schedule ran out is recorded, not dead-lettered again.
  manual: z.boolean().optional(),
  // How often this delivery already waited for one of its endpoint's slots: each wait is twice as long.
  waits: z.number().int().min(0).max(1_000).optional(),
});

/** The first job of a delivery; later attempts add `-<attempt>` (each attempt's job id is its own). */
export function deliveryJobId(deliveryId: string, attempt = 1): string {
  return `evd-${deliveryId}-${attempt}`;
}

export const eventJobs = {
  // One event: stored once (by id), then a events.deliver job per subscribed endpoint.
  'events.publish': { queue: 'events', schema: eventEnvelope },
  // One attempt; a failure re-adds the job delayed by the retry schedule (the handler does,
  // so BullMQ's own attempts are left for infrastructure errors: PostgreSQL or Redis away).
  'events.deliver': { queue: 'events', schema: deliverySchema },
  // Deliveries PostgreSQL says are owed an attempt but no job holds (a Redis loss, a crash).
  'events.reconcile': { queue: 'events', schema: systemWide, everyMs: 30_000 },
  // Office alerts past an office number's rate, folded into one text (packages/sms/src/office-alerts.ts).
  'events.alert-summary': { queue: 'events', schema: forTenant.extend({ phone: z.string().regex(/^\+\d{8,15}$/) }) },
} as const;
