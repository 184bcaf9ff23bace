import { z } from 'zod';
import { tenantScoped } from '../catalog.js';

const forTenant = tenantScoped.extend({ tenantId: z.uuid() });

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

export const eventJobs = {
  // One event: stored once (by id), then a events.deliver job per subscribed endpoint.
  'events.publish': { queue: 'events', schema: eventEnvelope },
} as const;
