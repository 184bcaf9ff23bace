import { ghlDefinition } from '@fieldhand/ghl';
import { serviceTitanDefinition } from '@fieldhand/servicetitan';
import { syncSources, type SyncSourceDefinition, type SyncSources } from '@fieldhand/sync';

/** The sync sources the API starts and reports on; the sync role (apps/workers/src/sync/role.ts) runs the same ones. */
export const SYNC_SOURCES: SyncSources<SyncSourceDefinition> = syncSources<SyncSourceDefinition>([serviceTitanDefinition, ghlDefinition]);
