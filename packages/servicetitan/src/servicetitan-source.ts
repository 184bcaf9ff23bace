import { listTenantsWithCredentials } from '@fieldhand/db';
import type { SyncSource, SyncSourceDefinition } from '@fieldhand/sync';
import type { ClientFactory } from './client/client-factory.js';
import { ST_MODULES, type StModule } from './modules/index.js';

/** ServiceTitan as a sync source, without a client: what the API validates and reports on. */
export const serviceTitanDefinition: SyncSourceDefinition<StModule> = {
  name: 'servicetitan',
  modules: ST_MODULES,
  configured: (tenant) => tenant.servicetitan !== null,
  tenantIds: (db) => listTenantsWithCredentials(db, 'servicetitan'),
};

/** The source the sync worker runs: each module's export feed, read with the tenant's client. */
export function serviceTitanSource(clients: ClientFactory): SyncSource<StModule> {
  return {
    ...serviceTitanDefinition,
    async fetchPage(tenantId, module, cursor, signal) {
      const client = await clients(tenantId);
      const page = await client.export(module.apiModule, module.resource, cursor, signal);
      return { records: page.data, cursor: page.continueFrom, hasMore: page.hasMore };
    },
  };
}
