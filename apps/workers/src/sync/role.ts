import { serviceTitanSource } from '@fieldhand/servicetitan';
import { applyPage, planSyncs, startSync, syncSources, type SyncDeps } from '@fieldhand/sync';
import { defineRole } from '../bootstrap/role.js';
import { serviceTitanClients } from '../bootstrap/servicetitan-clients.js';

/**
 * Pulls each registered source into PostgreSQL: plans passes, starts them, applies one
 * page per job. A new source is registered here and in apps/api/src/sync-sources.ts.
 */
export const syncRole = defineRole({
  name: 'sync',
  queues: ['sync'],
  handlers: (roleDeps) => {
    const { config, db, bus, logger } = roleDeps;
    const deps: SyncDeps = { db, bus, logger, sources: syncSources([serviceTitanSource(serviceTitanClients(roleDeps))]) };
    return {
      'sync.plan': () => planSyncs(deps, config.sync),
      'sync.start': (data) => startSync(deps, data),
      'sync.page': (data, ctx) => applyPage(deps, data, ctx),
    };
  },
});
