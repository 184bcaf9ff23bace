import { findSubscribedEndpoints, findWebhookEndpoint, recordWebhookEvent, type WebhookEndpointRow } from '@fieldhand/db';
import { deliveryJobId, type JobData, type FieldhandCatalog } from '@fieldhand/queues';
import { FAILING_ENDPOINT_PRIORITY } from './deliver-event.js';
import type { DeliveryDeps } from './deps.js';

type Envelope = JobData<FieldhandCatalog, 'events.publish'>;

/**
 * `events.publish`: stores the event once (by id) and opens a delivery to each of the
 * tenant's enabled endpoints subscribed to its type — a `ping` only to the endpoint it
 * tests — then enqueues one `events.deliver` per delivery (job id per delivery, so a
 * re-run adds nothing). Safe to run twice. The events role also forwards the same envelope
 * to the tenant's office numbers (packages/sms office-alerts.ts).
 */
export async function publishEvent(deps: Pick<DeliveryDeps, 'db' | 'bus'>, envelope: Envelope): Promise<{ deliveries: number }> {
  const { db, bus } = deps;
  const endpoints = await targets(deps, envelope);
  const deliveries = await recordWebhookEvent(
    db,
    { tenantId: envelope.tenantId, id: envelope.id, type: envelope.type, timestamp: new Date(envelope.timestamp), data: envelope.data },
    endpoints.map((e) => e.id),
  );
  // An endpoint failing since its last success gets its new events behind the healthy ones'.
  const failing = new Set(endpoints.filter((e) => e.firstFailureAt !== null).map((e) => e.id));
  for (const delivery of deliveries) {
    if (delivery.attempts > 0 || delivery.status !== 'pending') continue;
    const priority = failing.has(delivery.endpointId) ? { priority: FAILING_ENDPOINT_PRIORITY } : {};
    await bus.enqueue('events.deliver', { tenantId: envelope.tenantId, eventId: envelope.id, endpointId: delivery.endpointId }, { jobId: deliveryJobId(delivery.id), ...priority });
  }
  return { deliveries: deliveries.length };
}

async function targets(deps: Pick<DeliveryDeps, 'db'>, envelope: Envelope): Promise<WebhookEndpointRow[]> {
  if (envelope.type !== 'ping') return findSubscribedEndpoints(deps.db, envelope.tenantId, envelope.type);
  const endpointId = typeof envelope.data.endpointId === 'string' ? envelope.data.endpointId : undefined;
  const endpoint = endpointId ? await findWebhookEndpoint(deps.db, envelope.tenantId, endpointId) : undefined;
  return endpoint ? [endpoint] : [];
}
