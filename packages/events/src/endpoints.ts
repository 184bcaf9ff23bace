import {
  findWebhookDelivery,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  makeWebhookDeliveryDue,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
  type Database,
  type WebhookDeliveryRow,
  type WebhookEndpointPatch,
  type WebhookEndpointRow,
} from '@fieldhand/db';
import { deliveryJobId, type FieldhandCatalog, type JobBus } from '@fieldhand/queues';
import { eventJob } from './event-job.js';
import { newWebhookSecret } from './delivery/sign.js';
import { checkEndpointUrl, type UrlPolicy } from './url-policy.js';

/** How long the old secret keeps signing after a rotation (the spec lets receivers accept either meanwhile). */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export type EndpointDeps = { db: Database; bus: JobBus<FieldhandCatalog>; policy: UrlPolicy };

/** A new endpoint with a new secret (the caller shows it once); the URL is checked first (EndpointUrlError). */
export async function createEndpoint(deps: EndpointDeps, tenantId: string, input: { url: string; events: string[]; description?: string | undefined }): Promise<WebhookEndpointRow> {
  const url = await checkEndpointUrl(input.url, deps.policy);
  return insertWebhookEndpoint(deps.db, { tenantId, url: url.toString(), events: [...new Set(input.events)], description: input.description ?? null, secret: newWebhookSecret() });
}

export async function changeEndpoint(
  deps: EndpointDeps,
  tenantId: string,
  id: string,
  input: { url?: string | undefined; events?: string[] | undefined; description?: string | null | undefined; disabled?: boolean | undefined },
): Promise<WebhookEndpointRow | undefined> {
  const patch: WebhookEndpointPatch = {};
  if (input.url !== undefined) patch.url = (await checkEndpointUrl(input.url, deps.policy)).toString();
  if (input.events !== undefined) patch.events = [...new Set(input.events)];
  if (input.description !== undefined) patch.description = input.description;
  if (input.disabled === true) {
    // Disabling one already disabled keeps its first reason (the 3-day rule's, say).
    const current = await findWebhookEndpoint(deps.db, tenantId, id);
    if (current && !current.disabledAt) Object.assign(patch, { disabledAt: new Date(), disabledReason: 'disabled by request' });
  }
  // Enabling starts a new failing streak: the 3-day rule counts from the next failure.
  if (input.disabled === false) Object.assign(patch, { disabledAt: null, disabledReason: null, firstFailureAt: null });
  return updateWebhookEndpoint(deps.db, tenantId, id, patch);
}

/** A new secret; the old one signs beside it for ROTATION_OVERLAP_MS. */
export async function rotateEndpointSecret(deps: Pick<EndpointDeps, 'db'>, tenantId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return rotateWebhookEndpointSecret(deps.db, tenantId, id, newWebhookSecret(), new Date(Date.now() + ROTATION_OVERLAP_MS));
}

export type RetryAnswer = { delivery: WebhookDeliveryRow; jobId: string } | 'not_found' | 'delivered';

/**
 * Tries a delivery again at once (same event, so the same `webhook-id`): makes it due now and
 * promotes its scheduled job if one waits, else adds one. The attempt is recorded like any other.
 */
export async function retryDelivery(deps: Pick<EndpointDeps, 'db' | 'bus'>, tenantId: string, endpointId: string, deliveryId: string): Promise<RetryAnswer> {
  const current = await findWebhookDelivery(deps.db, tenantId, endpointId, deliveryId);
  if (!current) return 'not_found';
  if (current.status === 'delivered') return 'delivered';
  const delivery = await makeWebhookDeliveryDue(deps.db, tenantId, endpointId, deliveryId);
  if (!delivery) return 'not_found';
  const scheduled = await deps.bus.queue('events').getJob(deliveryJobId(delivery.id, delivery.attempts + 1));
  if (scheduled && (await scheduled.isDelayed())) {
    await scheduled.promote();
    return { delivery, jobId: scheduled.id! };
  }
  const jobId = await deps.bus.enqueue(
    'events.deliver',
    { tenantId, eventId: delivery.eventId, endpointId, manual: true },
    { jobId: `${deliveryJobId(delivery.id, delivery.attempts + 1)}-m${Date.now()}` },
  );
  return { delivery, jobId };
}

/** Publishes a `ping` to one endpoint (whatever it subscribes to); answers the event id. */
export async function sendTestEvent(deps: Pick<EndpointDeps, 'bus'>, tenantId: string, endpointId: string): Promise<string> {
  const job = eventJob(tenantId, 'ping', { endpointId });
  await deps.bus.enqueue('events.publish', job.data, { jobId: job.jobId });
  return job.data.id;
}
