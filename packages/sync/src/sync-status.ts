import { countSyncedRows, listSyncStates, type Database } from '@fieldhand/db';
import type { SyncSourceDefinition } from './sync-source.js';

export type ModuleSyncStatus = {
  source: string;
  module: string;
  state: 'running' | 'idle' | 'never_synced';
  records: number;
  cursorAgeSeconds: number | null;
  currentPage: number | null;
  lastStartedAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
};

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** Where each module of a source stands for a tenant, for the API and the CLI. */
export async function syncStatus(db: Database, source: SyncSourceDefinition, tenantId: string, now = new Date()): Promise<ModuleSyncStatus[]> {
  const states = new Map((await listSyncStates(db, tenantId, source.name)).map((s) => [s.module, s]));
  const records = await countSyncedRows(db, source.modules.map((m) => m.table), tenantId);
  return source.modules.map((m, i) => {
    const s = states.get(m.name);
    return {
      source: source.name,
      module: m.name,
      state: !s ? 'never_synced' : s.runId ? 'running' : 'idle',
      records: records[i] ?? 0,
      cursorAgeSeconds: s?.cursor ? Math.round((now.getTime() - s.updatedAt.getTime()) / 1000) : null,
      currentPage: s?.runId ? s.runPage : null,
      lastStartedAt: iso(s?.lastStartedAt),
      lastSuccessAt: iso(s?.lastSuccessAt),
      lastError: s?.lastError ?? null,
      lastErrorAt: iso(s?.lastErrorAt),
    };
  });
}
