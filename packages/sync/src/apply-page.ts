import { commitSyncPage, findSyncState, markSeenRows, reconcileUnseenRows, recordSyncError, upsertSyncedRows, type SyncKey } from '@fieldhand/db';
import { eventJob } from '@fieldhand/events';
import { flushOutbox, isLastAttempt, UnrecoverableError, writeOutbox, type FieldhandCatalog, type JobContext, type JobData } from '@fieldhand/queues';
import { backfillJobs, changeEventJobs } from './change-events.js';
import { enqueuePage } from './page-jobs.js';
import { isPermanent } from './sync-source.js';
import { findModule, type SyncDeps } from './sync-sources.js';

export type PageData = JobData<FieldhandCatalog, 'sync.page'>;

export type PageResult =
  | { status: 'skipped'; reason: string }
  | { status: 'applied'; page: number; records: number; inserted: number; updated: number; unchanged: number; events: number; deactivated?: number; hasMore: boolean };

class LostRace extends Error {}

/** A permanent source error fails the job now; BullMQ retries anything else. */
function forJob(error: Error): Error {
  if (!isPermanent(error)) return error;
  const unrecoverable = new UnrecoverableError(error.message);
  // The stack names the source's error class, for the dead-letter record.
  unrecoverable.stack = error.stack;
  return unrecoverable;
}

/**
 * Applies the next page of a pass (the sync.page job): fetch from the committed cursor,
 * upsert the page, write its change events to the outbox and move the cursor in one
 * transaction, then enqueue the following page. Killed anywhere, a retry starts again
 * from the committed cursor; a page applied twice changes nothing.
 */
export async function applyPage(deps: SyncDeps, data: PageData, ctx: JobContext): Promise<PageResult> {
  const source = deps.sources.get(data.source);
  if (!source) throw new UnrecoverableError(`Unknown sync source ${data.source}`);
  const module = findModule(source, data.module);
  if (!module) throw new UnrecoverableError(`Unknown ${source.name} module ${data.module}`);
  const key: SyncKey = { tenantId: data.tenantId, source: source.name, module: module.name };
  const state = await findSyncState(deps.db, key);
  if (!state || state.runId !== data.runId) return { status: 'skipped', reason: 'pass is no longer running' };
  if (state.runPage > data.page) {
    // This page was committed but its successor may never have been enqueued (a crash in between).
    await enqueuePage(deps, key, data.runId, state.runPage);
    return { status: 'skipped', reason: 'page already applied' };
  }
  if (state.runPage < data.page) return { status: 'skipped', reason: 'an earlier page is not applied yet' };

  try {
    const page = await source.fetchPage(data.tenantId, module, state.cursor, ctx.signal);
    const outcome = await deps.db.transaction(async (tx) => {
      const rows = page.records.map((r) => module.toRow(r));
      const result = await upsertSyncedRows(tx, module.table, data.tenantId, rows, module.tracked);
      // A full pass of a feed without deletions: what it does not read by its end is gone.
      const reconciling = module.reconcile === true && state.runFull;
      if (reconciling) await markSeenRows(tx, key, data.runId, rows.map((r) => r.id as number | string));
      const deactivated = reconciling && !page.hasMore ? await reconcileUnseenRows(tx, module.table, key, data.runId) : 0;
      const events = state.runEmitsEvents
        ? changeEventJobs(source.name, module, data.tenantId, result.changes)
        : page.hasMore
          ? []
          : backfillJobs(module, data.tenantId, data.runId);
      const moved = await commitSyncPage(tx, key, data.runId, data.page, {
        cursor: page.cursor,
        done: !page.hasMore,
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged,
        events: events.length,
      });
      if (!moved) throw new LostRace();
      // Written with the rows they describe and enqueued only after the commit, so the
      // workflows worker never reads a record older than its event; rows left behind by a
      // crash after the commit are enqueued by the maintenance role.
      const outbox = await writeOutbox(tx, deps.bus.catalog, events);
      return { ...result, events: events.length, deactivated, outbox };
    });
    await flushOutbox(deps.bus, outcome.outbox);
    if (page.hasMore) await enqueuePage(deps, key, data.runId, data.page + 1);
    const applied = { status: 'applied' as const, page: data.page, records: page.records.length, inserted: outcome.inserted, updated: outcome.updated, unchanged: outcome.unchanged, events: outcome.events, ...(outcome.deactivated > 0 ? { deactivated: outcome.deactivated } : {}), hasMore: page.hasMore };
    ctx.logger.info({ source: source.name, module: module.name, runId: data.runId, ...applied }, page.hasMore ? 'sync page applied' : 'sync pass finished');
    return applied;
  } catch (err) {
    if (err instanceof LostRace) return { status: 'skipped', reason: 'another job applied this page' };
    const error = err instanceof Error ? err : new Error(String(err));
    const final = isPermanent(error) || isLastAttempt(ctx.job);
    if (!ctx.signal.aborted) await recordPageError(deps, key, data.runId, error.message.slice(0, 2_000), final);
    throw forJob(error);
  }
}

/**
 * Records a failed page; the failure that ends the pass is reported (`sync.failed`, id
 * `sync-<runId>-failed`) in the same transaction, so a pass is reported failed once and
 * only if its failure was recorded.
 */
async function recordPageError(deps: SyncDeps, key: SyncKey, runId: string, error: string, final: boolean): Promise<void> {
  const outbox = await deps.db.transaction(async (tx) => {
    if (!(await recordSyncError(tx, key, runId, error, final))) return [];
    const event = eventJob(key.tenantId, 'sync.failed', { source: key.source, module: key.module, error }, { id: `sync-${runId}-failed` });
    return writeOutbox(tx, deps.bus.catalog, [event]);
  });
  await flushOutbox(deps.bus, outbox);
}
