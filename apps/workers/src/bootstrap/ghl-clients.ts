import { createGhlClientFactory, type GhlClientFactory } from '@fieldhand/ghl';
import type { RoleDeps } from './role.js';
import { sideConnection } from './side-connection.js';

/** GHL clients for a role: one HTTP agent and Redis-held per-location request budget per process. */
export function ghlClients(roleDeps: RoleDeps): GhlClientFactory {
  const { config, db } = roleDeps;
  return createGhlClientFactory({
    db,
    apiUrl: config.vendors.GHL_API_URL,
    // Its own connection: budget checks must not queue behind BullMQ's blocking calls.
    redis: sideConnection(config.redis.REDIS_URL, roleDeps, 'GHL request budget'),
    keyPrefix: config.redis.QUEUE_PREFIX,
  });
}
