import { randomUUID } from 'node:crypto';
import {
  abandonWebhookDelivery,
  claimWebhookDelivery,
  clearWebhookEndpointFailing,
  disableWebhookEndpoint,
  findWebhookEndpoint,
  findWebhookEvent,
  markWebhookEndpointFailing,
  settleWebhookDelivery,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  type WebhookEventRow,
} from '@fieldhand/db';
import { deliveryJobId, flushOutbox, UnrecoverableError, writeOutbox, type FieldhandCatalog, type JobData } from '@fieldhand/queues';
import { eventJob } from '../event-job.js';
import type { DeliveryDeps } from './deps.js';
import { postWebhook, type PostResult } from './post-webhook.js';
import { retryDelayMs } from './retry-schedule.js';
import { signatureHeaders } from './sign.js';

type Delivery = JobData<FieldhandCatalog, 'events.deliver'>;

// A delivery waiting for one of its endpoint's slots tries again after this, doubling per wait
// up to the cap (plus jitter): a backlog behind a slow endpoint costs few jobs, not a busy loop.
const SLOT_WAIT_MS = 200;
const SLOT_WAIT_CAP_MS = 15_000;
// How long a job waits in the worker for a slot before it steps out and waits delayed.
const SLOT_POLL_MS = 500;

/**
 * BullMQ priority of deliveries to an endpoint that is failing (its retries, and new events
 * while it has not succeeded since): jobs without a priority run first, so a dead receiver's
 * backlog waits behind the healthy endpoints' deliveries instead of delaying them.
 */
export const FAILING_ENDPOINT_PRIORITY = 100;

/** The JSON body every endpoint receives: stable top-level fields, the event's data inside. */
export function eventBody(event: Pick<WebhookEventRow, 'type' | 'id' | 'timestamp' | 'tenantId' | 'data'>): string {
  return JSON.stringify({ type: event.type, id: event.id, timestamp: event.timestamp.toISOString(), tenantId: event.tenantId, data: event.data });
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export function liveSecrets(endpoint: Pick<WebhookEndpointRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now = new Date()): string[] {
  const previous = endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now ? [endpoint.previousSecret] : [];
  return [endpoint.secret, ...previous];
}

/**
 * `events.deliver`: one attempt of one event to one endpoint. Takes one of the endpoint's
 * slots, claims the delivery (not delivered, not being attempted, due), POSTs the signed
 * body and records the attempt. A failure schedules the next attempt (a delayed job) or,
 * once the schedule is spent, fails the job for good so it is dead-lettered like any other.
 */
export async function deliverEvent(deps: DeliveryDeps, data: Delivery): Promise<string> {
  const { db, bus, slots } = deps;
  const slot = await slots.acquire(data.endpointId, SLOT_POLL_MS);
  if (!slot) {
    const waits = data.waits ?? 0;
    const wait = Math.min(SLOT_WAIT_CAP_MS, SLOT_WAIT_MS * 2 ** Math.min(waits, 10));
    await bus.enqueue('events.deliver', { ...data, waits: waits + 1 }, {
      // Event ids are the producers' (they may hold characters BullMQ refuses in a job id).
      jobId: `evw-${data.endpointId}-${randomUUID()}`,
      delay: Math.round(wait * (0.5 + Math.random())),
    });
    return 'endpoint busy; waiting for a slot';
  }
  try {
    const claimed = await claimWebhookDelivery(db, data, deps.settings.timeoutMs + 10_000);
    // Delivered already, attempted by another job right now, not due yet, or its endpoint was deleted.
    if (!claimed) return 'nothing to do';
    const [event, endpoint] = await Promise.all([findWebhookEvent(db, data.tenantId, data.eventId), findWebhookEndpoint(db, data.tenantId, data.endpointId)]);
    if (!event || !endpoint) {
      await abandonWebhookDelivery(db, claimed.id, endpoint ? 'event not found' : 'endpoint deleted');
      return 'abandoned';
    }
    if (endpoint.disabledAt) {
      await abandonWebhookDelivery(db, claimed.id, `endpoint disabled: ${endpoint.disabledReason ?? 'disabled'}`);
      return 'endpoint disabled';
    }
    const result = await attempt(deps, event, endpoint);
    return await settle(deps, data, claimed, endpoint, result);
  } finally {
    await slots.release(data.endpointId, slot).catch(() => undefined);
  }
}

async function attempt(deps: DeliveryDeps, event: WebhookEventRow, endpoint: WebhookEndpointRow): Promise<PostResult> {
  const url = new URL(endpoint.url);
  // Saved before production, or before the rule: refused here too.
  if (deps.settings.requireHttps && url.protocol !== 'https:') return { statusCode: null, durationMs: 0, error: 'url must be https in production' };
  const body = eventBody(event);
  const now = new Date();
  return postWebhook(url, body, signatureHeaders(liveSecrets(endpoint, now), event.id, now, body), { agents: deps.agents, timeoutMs: deps.settings.timeoutMs });
}

async function settle(deps: DeliveryDeps, data: Delivery, delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow, result: PostResult): Promise<string> {
  const { db, bus } = deps;
  const at = new Date();
  const record = { attempt: delivery.attempts, at: at.toISOString(), statusCode: result.statusCode, durationMs: result.durationMs, error: result.error };
  if (result.error === null) {
    await settleWebhookDelivery(db, delivery.id, { attempt: { ...record, nextAttemptAt: null }, status: 'delivered', nextAttemptAt: null });
    if (endpoint.firstFailureAt) await clearWebhookEndpointFailing(db, endpoint.id);
    return `delivered (${result.statusCode})`;
  }

  const failingSince = (await markWebhookEndpointFailing(db, endpoint.id, at)) ?? at;
  const disabled = at.getTime() - failingSince.getTime() >= deps.settings.disableAfterMs ? await disableEndpoint(deps, endpoint, failingSince) : false;
  const delay = disabled ? undefined : retryDelayMs(delivery.attempts, deps.settings.retryScale);
  if (delay === undefined) {
    await settleWebhookDelivery(db, delivery.id, { attempt: { ...record, nextAttemptAt: null }, status: 'failed', nextAttemptAt: null });
    if (data.manual) return `failed: ${result.error}`;
    throw new UnrecoverableError(`webhook delivery failed after ${delivery.attempts} attempt(s)${disabled ? '; endpoint disabled' : ''}: ${result.error}`);
  }
  const next = new Date(at.getTime() + delay);
  await settleWebhookDelivery(db, delivery.id, { attempt: { ...record, nextAttemptAt: next.toISOString() }, status: 'retrying', nextAttemptAt: next });
  // If this add is lost (Redis away at this moment), events.reconcile finds the overdue delivery.
  await bus.enqueue('events.deliver', { tenantId: data.tenantId, eventId: data.eventId, endpointId: data.endpointId }, { jobId: deliveryJobId(delivery.id, delivery.attempts + 1), delay, priority: FAILING_ENDPOINT_PRIORITY });
  return `failed (${result.error}); attempt ${delivery.attempts + 1} in ${delay} ms`;
}

/**
 * Failing without a success for WEBHOOK_DISABLE_AFTER_SECONDS: the endpoint is disabled, with
 * a `webhook_endpoint.disabled` event in the same transaction (the tenant's other endpoints
 * hear of it; office alerts subscribe to it). True if this attempt disabled it.
 */
async function disableEndpoint(deps: DeliveryDeps, endpoint: WebhookEndpointRow, failingSince: Date): Promise<boolean> {
  const hours = Math.round((Date.now() - failingSince.getTime()) / 3_600_000);
  const reason = `failing without a success since ${failingSince.toISOString()} (${hours} h)`;
  const rows = await deps.db.transaction(async (tx) => {
    const disabled = await disableWebhookEndpoint(tx, endpoint.id, reason);
    if (!disabled) return undefined;
    const notice = eventJob(endpoint.tenantId, 'webhook_endpoint.disabled', { endpointId: endpoint.id, url: endpoint.url, reason, failingSince: failingSince.toISOString() }, { id: `endpoint-disabled-${endpoint.id}-${failingSince.getTime()}` });
    return writeOutbox(tx, deps.bus.catalog, [notice]);
  });
  if (!rows) return true; // another attempt disabled it a moment ago
  deps.logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
  await flushOutbox(deps.bus, rows);
  return true;
}
