import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Executor, Transaction as Tx } from '../executor.js';
import { syncRuns, syncState, tenants } from '../schema/index.js';

export type SyncStateRow = typeof syncState.$inferSelect;
export type SyncRunRow = typeof syncRuns.$inferSelect;

export type SyncKey = { tenantId: string; source: string; module: string };

const keyWhere = (k: SyncKey) => and(eq(syncState.tenantId, k.tenantId), eq(syncState.source, k.source), eq(syncState.module, k.module));

export type StartedPass = { runId: string; page: number; started: boolean; emitsEvents: boolean };

/**
 * Starts a pass unless one is already running (then returns that one). A first pass of a
 * tenant emits no workflow events unless asked: a backfill must not text all of history.
 */
export async function startSyncPass(db: Database, key: SyncKey, options: { full: boolean; emitEvents?: boolean }): Promise<StartedPass> {
  return db.transaction(async (tx) => {
    await tx.insert(syncState).values(key).onConflictDoNothing();
    const [claimed] = await tx
      .update(syncState)
      .set({
        runId: sql`gen_random_uuid()`,
        runPage: 0,
        cursor: options.full ? null : sql`${syncState.cursor}`,
        // SET reads the row as it was: a pass from a null cursor reads everything too.
        runFull: options.full ? true : sql`${syncState.cursor} is null`,
        runEmitsEvents: options.emitEvents ?? sql`${syncState.lastSuccessAt} is not null`,
        runHeartbeatAt: sql`now()`,
        lastStartedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(and(keyWhere(key), isNull(syncState.runId)))
      .returning();
    if (!claimed) {
      const [current] = await tx.select().from(syncState).where(keyWhere(key));
      return { runId: current!.runId!, page: current!.runPage, started: false, emitsEvents: current!.runEmitsEvents };
    }
    await tx.insert(syncRuns).values({ id: claimed.runId!, ...key, full: options.full || claimed.cursor === null, emitsEvents: claimed.runEmitsEvents });
    return { runId: claimed.runId!, page: 0, started: true, emitsEvents: claimed.runEmitsEvents };
  });
}

export async function findSyncState(db: Executor, key: SyncKey): Promise<SyncStateRow | undefined> {
  const [row] = await db.select().from(syncState).where(keyWhere(key));
  return row;
}

export async function listSyncStates(db: Database, tenantId: string, source?: string): Promise<SyncStateRow[]> {
  return db
    .select()
    .from(syncState)
    .where(source ? and(eq(syncState.tenantId, tenantId), eq(syncState.source, source)) : eq(syncState.tenantId, tenantId));
}

/** `cursor` null: the next pass starts from the beginning (a feed with no incremental order). */
export type PageOutcome = { cursor: string | null; done: boolean; inserted: number; updated: number; unchanged: number; events: number };

/**
 * Moves the cursor past a page, in the caller's transaction (the one that wrote the
 * page's rows). Compare-and-set on (run, page): false means another job already applied
 * this page or the pass was replaced, and the caller must roll back.
 */
export async function commitSyncPage(tx: Tx, key: SyncKey, runId: string, page: number, outcome: PageOutcome): Promise<boolean> {
  const done = outcome.done;
  const [moved] = await tx
    .update(syncState)
    .set({
      cursor: outcome.cursor,
      runPage: page + 1,
      runHeartbeatAt: sql`now()`,
      updatedAt: sql`now()`,
      ...(done
        ? { runId: null, lastSuccessAt: sql`now()`, lastFullSuccessAt: sql`case when ${syncState.runFull} then now() else ${syncState.lastFullSuccessAt} end`, lastError: null, lastErrorAt: null }
        : {}),
    })
    .where(and(keyWhere(key), eq(syncState.runId, runId), eq(syncState.runPage, page)))
    .returning({ runPage: syncState.runPage });
  if (!moved) return false;
  await tx
    .update(syncRuns)
    .set({
      pages: sql`${syncRuns.pages} + 1`,
      inserted: sql`${syncRuns.inserted} + ${outcome.inserted}`,
      updated: sql`${syncRuns.updated} + ${outcome.updated}`,
      unchanged: sql`${syncRuns.unchanged} + ${outcome.unchanged}`,
      events: sql`${syncRuns.events} + ${outcome.events}`,
      ...(done
        ? { status: 'succeeded', error: null, finishedAt: sql`now()`, durationMs: sql`(extract(epoch from now() - ${syncRuns.startedAt}) * 1000)::int` }
        : {}),
    })
    .where(eq(syncRuns.id, runId));
  return true;
}

/**
 * Records a failed page. A final failure ends the pass (the cursor stays at the last
 * committed page, so the next pass resumes there); otherwise the job retries.
 */
export async function recordSyncError(db: Database | Tx, key: SyncKey, runId: string, error: string, final: boolean): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx
      .update(syncState)
      .set({ lastError: error, lastErrorAt: sql`now()`, updatedAt: sql`now()`, ...(final ? { runId: null } : {}) })
      .where(and(keyWhere(key), eq(syncState.runId, runId)));
    const failed = await tx
      .update(syncRuns)
      .set({
        error,
        ...(final ? { status: 'failed', finishedAt: sql`now()`, durationMs: sql`(extract(epoch from now() - ${syncRuns.startedAt}) * 1000)::int` } : {}),
      })
      .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running')))
      .returning({ id: syncRuns.id });
    // True when this call ended the pass: the one moment its failure is news.
    return final && failed.length > 0;
  });
}

/** Passes that made no progress for `silentSeconds`: their next-page job may have been lost. */
export async function findStalledSyncPasses(db: Database, source: string, silentSeconds: number): Promise<SyncStateRow[]> {
  return db
    .select()
    .from(syncState)
    .where(and(eq(syncState.source, source), isNotNull(syncState.runId), lt(syncState.runHeartbeatAt, sql`now() - make_interval(secs => ${silentSeconds})`)));
}

/** Tenants that saved credentials for a vendor: the ones its sync source keeps in sync. */
export async function listTenantsWithCredentials(db: Database, vendor: 'servicetitan' | 'ghl'): Promise<string[]> {
  const rows = await db.select({ id: tenants.id }).from(tenants).where(isNotNull(tenants[vendor]));
  return rows.map((r) => r.id);
}

export async function findSyncRuns(db: Database, tenantId: string, limit = 50): Promise<SyncRunRow[]> {
  return db.select().from(syncRuns).where(eq(syncRuns.tenantId, tenantId)).orderBy(sql`${syncRuns.startedAt} desc`).limit(limit);
}
