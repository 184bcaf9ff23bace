import { createClientFactory, serviceTitanSource } from '@fieldhand/servicetitan';
import { applyPage, planSyncs, startSync, syncSources, type SyncDeps } from '@fieldhand/sync';
import { defineRole } from '../bootstrap/role.js';
import { sideConnection } from '../bootstrap/side-connection.js';

/**
 * Pulls each registered source into PostgreSQL: plans passes, starts them, applies one
 * page per job. A new source is registered here and in apps/api/src/sync-sources.ts.
 */
export const syncRole = defineRole({
  name: 'sync',
  queues: ['sync'],
  handlers: (roleDeps) => {
    const { config, db, bus, logger } = roleDeps;
    const serviceTitanClients = createClientFactory({
      db,
      authUrl: config.vendors.SERVICETITAN_AUTH_URL,
      apiUrl: config.vendors.SERVICETITAN_API_URL,
      // Its own connection: budget checks must not queue behind BullMQ's blocking calls.
      redis: sideConnection(config.redis.REDIS_URL, roleDeps, 'ServiceTitan request budget'),
      keyPrefix: config.redis.QUEUE_PREFIX,
      requestsPerSecond: config.vendors.SERVICETITAN_REQUESTS_PER_SECOND,
    });
    const deps: SyncDeps = { db, bus, logger, sources: syncSources([serviceTitanSource(serviceTitanClients)]) };
    return {
      'sync.plan': () => planSyncs(deps, config.sync),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
    };
  },
});
