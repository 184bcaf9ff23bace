import { createClientFactory, type ClientFactory } from '@fieldhand/servicetitan';
import type { RoleDeps } from './role.js';
import { sideConnection } from './side-connection.js';

/** ServiceTitan clients for a role: one HTTP agent, token cache and Redis-held request budget per process. */
export function serviceTitanClients(roleDeps: RoleDeps): ClientFactory {
  const { config, db } = roleDeps;
  return createClientFactory({
    db,
    authUrl: config.vendors.SERVICETITAN_AUTH_URL,
    apiUrl: config.vendors.SERVICETITAN_API_URL,
    // Its own connection: budget checks must not queue behind BullMQ's blocking calls.
    redis: sideConnection(config.redis.REDIS_URL, roleDeps, 'ServiceTitan request budget'),
    keyPrefix: config.redis.QUEUE_PREFIX,
    requestsPerSecond: config.vendors.SERVICETITAN_REQUESTS_PER_SECOND,
  });
}
