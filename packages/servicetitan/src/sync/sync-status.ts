import { getTableName, sql } from 'drizzle-orm';
import { listSyncStates, type Database } from '@fieldhand/db';
import { ST_MODULES } from '../modules/index.js';
import { SOURCE } from './sync-deps.js';

export type ModuleSyncStatus = {
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

/** Where each ServiceTitan module of a tenant stands, for the API and the CLI. */
export async function syncStatus(db: Database, tenantId: string, now = new Date()): Promise<ModuleSyncStatus[]> {
  const states = new Map((await listSyncStates(db, tenantId, SOURCE)).map((s) => [s.module, s]));
  // One round trip for every table's count.
  const counts = await db.execute<{ module: string; records: string }>(
    sql.join(
      ST_MODULES.map((m) => sql`select ${m.name}::text as module, count(*)::text as records from ${sql.identifier(getTableName(m.table))} where tenant_id = ${tenantId}`),
      sql` union all `,
    ),
  );
  const records = new Map(counts.rows.map((r) => [r.module, Number(r.records)]));
  return ST_MODULES.map((m) => {
    const s = states.get(m.name);
    const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
    return {
      module: m.name,
      state: !s ? 'never_synced' : s.runId ? 'running' : 'idle',
      records: records.get(m.name) ?? 0,
      cursorAgeSeconds: s?.cursor ? Math.round((now.getTime() - s.updatedAt.getTime()) / 1000) : null,
      currentPage: s?.runId ? s.runPage : null,
      lastStartedAt: iso(s?.lastStartedAt),
      lastSuccessAt: iso(s?.lastSuccessAt),
      lastError: s?.lastError ?? null,
      lastErrorAt: iso(s?.lastErrorAt),
    };
  });
}
