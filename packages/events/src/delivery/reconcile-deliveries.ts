import { findOverdueWebhookDeliveries } from '@fieldhand/db';
import { deliveryJobId } from '@fieldhand/queues';
import type { DeliveryDeps } from './deps.js';

const BATCH = 500;

/**
 * `events.reconcile`: PostgreSQL says which deliveries are owed an attempt. One overdue by
 * more than `graceMs` whose next job is not waiting in Redis (lost to a FLUSHALL, or never
 * added because the process died between the commit and the add) gets a job again; one
 * held by a lapsed lease (its worker was killed) is attempted again.
 */
export async function reconcileDeliveries(deps: Pick<DeliveryDeps, 'db' | 'bus' | 'logger'>, graceMs = 60_000): Promise<number> {
  const queue = deps.bus.queue('events');
  let restored = 0;
  for (const row of await findOverdueWebhookDeliveries(deps.db, graceMs, BATCH)) {
    const next = deliveryJobId(row.id, row.attempts + 1);
    const job = await queue.getJob(next);
    const state = job ? await job.getState() : 'missing';
    if (state === 'waiting' || state === 'delayed' || state === 'active' || state === 'prioritized' || state === 'waiting-children') continue;
    await deps.bus.enqueue('events.deliver', { tenantId: row.tenantId, eventId: row.eventId, endpointId: row.endpointId }, { jobId: `${next}-rc${Date.now()}` });
    restored++;
  }
  if (restored > 0) deps.logger.warn({ restored }, 'webhook deliveries owed an attempt had no job; enqueued again');
  return restored;
}
