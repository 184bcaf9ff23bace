import type { FieldhandCatalog } from '@fieldhand/queues';
import { applyPage, createClientFactory, planSyncs, startSync, type SyncDeps } from '@fieldhand/servicetitan';
import type { RoleDefinition } from '../bootstrap/role.js';
import { sideConnection } from '../bootstrap/side-connection.js';

/** Pulls ServiceTitan into PostgreSQL: plans passes, starts them, applies one page per job. */
export const syncRole: RoleDefinition<FieldhandCatalog> = {
  name: 'sync',
  queues: ['sync'],
  handlers: (roleDeps) => {
    const { config, db, bus, logger } = roleDeps;
    const clients = createClientFactory({
      db,
      authUrl: config.vendors.SERVICETITAN_AUTH_URL,
      apiUrl: config.vendors.SERVICETITAN_API_URL,
      // Its own connection: budget checks must not queue behind BullMQ's blocking calls.
      redis: sideConnection(config.redis.REDIS_URL, roleDeps, 'ServiceTitan request budget'),
      keyPrefix: config.redis.QUEUE_PREFIX,
      requestsPerSecond: config.vendors.SERVICETITAN_REQUESTS_PER_SECOND,
    });
    const deps: SyncDeps = { db, bus, clients, logger };
    return {
      'sync.plan': () => planSyncs(deps, config.sync),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
    };
  },
};
