import { listTenantsWithCredentials } from '@fieldhand/db';
import type { SyncSource, SyncSourceDefinition } from '@fieldhand/sync';
import type { GhlClientFactory } from './client/client-factory.js';
import { contactsModule } from './sync/contacts-module.js';
import { GHL_SYNC_DEFAULTS, type GhlModule, type GhlSyncOptions } from './sync/ghl-module.js';
import { opportunitiesModule } from './sync/opportunities-module.js';
import { pipelinesModule } from './sync/pipelines-module.js';
import { ReadAhead } from './sync/read-ahead.js';

/** Every GHL module Fieldhand mirrors, in the order a first sync reads them. */
export const GHL_MODULES: readonly GhlModule[] = [pipelinesModule, contactsModule, opportunitiesModule];

/** Nightly: GHL drops a webhook it got a 5xx for, and its search never shows a deletion. */
export const GHL_RECONCILE_INTERVAL_SECONDS = 24 * 3600;

/** GHL as a sync source, without a client: what the API validates and reports on. */
export const ghlDefinition: SyncSourceDefinition<GhlModule> = {
  name: 'ghl',
  modules: GHL_MODULES,
  configured: (tenant) => tenant.ghl !== null,
  tenantIds: (db) => listTenantsWithCredentials(db, 'ghl'),
  fullPassIntervalSeconds: GHL_RECONCILE_INTERVAL_SECONDS,
};

export type GhlSourceOptions = Partial<GhlSyncOptions> & {
  /** Time between reconciling full passes of each module (GHL_RECONCILE_INTERVAL_HOURS). */
  fullPassIntervalSeconds?: number;
};

/** The source the sync worker runs: each module's search, read with the tenant's client. */
export function ghlSource(clients: GhlClientFactory, options: GhlSourceOptions = {}): SyncSource<GhlModule> {
  const { fullPassIntervalSeconds = GHL_RECONCILE_INTERVAL_SECONDS, ...reading } = options;
  const settings: GhlSyncOptions = { ...GHL_SYNC_DEFAULTS, ...reading };
  const readAhead = new ReadAhead(settings.readAheadMs);
  return {
    ...ghlDefinition,
    // A page read ahead comes with its rows already made.
    modules: GHL_MODULES.map((m) => ({ ...m, toRow: (record) => readAhead.rowOf(record) ?? m.toRow(record) })),
    fullPassIntervalSeconds,
    async fetchPage(tenantId, module, cursor, signal) {
      const client = await clients(tenantId);
      const key = `${tenantId}:${module.name}`;
      const ahead = readAhead.take(key, cursor);
      const page = (ahead && (await ahead.catch(() => undefined))) || (await module.fetch(client, cursor, settings, signal));
      if (page.hasMore && page.cursor !== null && settings.readAheadMs > 0) {
        const next = page.cursor;
        readAhead.start(key, next, (aheadSignal) => module.fetch(client, next, settings, aheadSignal), (record) => module.toRow(record));
      }
      return page;
    },
  };
}
