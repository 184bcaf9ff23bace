import { deliverEvent, deliveryAgents, EndpointSlots, publishEvent, reconcileDeliveries, type DeliveryDeps } from '@fieldhand/events';
import type { FieldhandCatalog, HandlersFor, JobData } from '@fieldhand/queues';
import { forwardOfficeAlert, reconcileOfficeAlerts, sendAlertSummary } from '@fieldhand/sms';
import { defineRole, type RoleDeps } from '../bootstrap/role.js';
import { sideConnection } from '../bootstrap/side-connection.js';

/** Builds what delivering needs, once per process: the filtering agents and the per-endpoint slots. */
export function deliveryDeps(roleDeps: RoleDeps): DeliveryDeps {
  const { config, db, bus, logger } = roleDeps;
  const webhooks = config.webhooks;
  return {
    db,
    bus,
    logger,
    agents: deliveryAgents({ allowPrivate: webhooks.WEBHOOK_ALLOW_PRIVATE_URLS }),
    // Its own connection: slot checks must not queue behind BullMQ's blocking calls.
    slots: new EndpointSlots(sideConnection(config.redis.REDIS_URL, roleDeps, 'webhook endpoint slots'), config.redis.QUEUE_PREFIX, webhooks.WEBHOOK_ENDPOINT_CONCURRENCY, webhooks.WEBHOOK_TIMEOUT_MS + 10_000),
    settings: {
      timeoutMs: webhooks.WEBHOOK_TIMEOUT_MS,
      retryScale: webhooks.WEBHOOK_RETRY_SCALE,
      disableAfterMs: webhooks.WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
      requireHttps: config.log.NODE_ENV === 'production',
    },
  };
}

/**
 * Delivers events to the tenants' endpoints (Standard Webhooks) and to their office numbers
 * by text: publish fans out (endpoints, then office alerts), deliver makes one attempt,
 * alert-summary folds an office number's overflow into one text, reconcile restores lost jobs.
 */
export const eventsRole = defineRole({
  name: 'events',
  queues: ['events'],
  handlers: (roleDeps) => eventHandlers(deliveryDeps(roleDeps)),
});

/** The role's handlers over given deps (tests change the settings, the schedule's scale say). */
export function eventHandlers(deps: DeliveryDeps) {
  return {
    'events.publish': async (data: JobData<FieldhandCatalog, 'events.publish'>) => ({ ...(await publishEvent(deps, data)), alerts: await forwardOfficeAlert(deps, data) }),
    'events.deliver': (data: JobData<FieldhandCatalog, 'events.deliver'>) => deliverEvent(deps, data),
    'events.alert-summary': (data: JobData<FieldhandCatalog, 'events.alert-summary'>) => sendAlertSummary(deps, data),
    'events.reconcile': async () => ({ deliveries: await reconcileDeliveries(deps), alerts: await reconcileOfficeAlerts(deps) }),
  } satisfies HandlersFor<FieldhandCatalog, 'events'>;
}
