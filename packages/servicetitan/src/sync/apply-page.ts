import { UnrecoverableError, type Job } from 'bullmq';
import { commitSyncPage, findSyncState, insertOutbox, recordSyncError, type SyncKey } from '@fieldhand/db';
import { flushOutbox } from '@fieldhand/queues';
import type { FieldhandCatalog, JobContext, JobData } from '@fieldhand/queues';
import { stModule } from '../modules/index.js';
import { changeEvents, eventOutboxRows } from './change-events.js';
import { enqueuePage, SOURCE, type SyncDeps } from './sync-deps.js';
import { upsertPage } from './upsert-page.js';

export type PageData = JobData<FieldhandCatalog, 'sync.page'>;

export type PageResult =
  | { status: 'skipped'; reason: string }
  | { status: 'applied'; page: number; records: number; inserted: number; updated: number; unchanged: number; events: number; hasMore: boolean };

class LostRace extends Error {}

function isFinal(job: Job, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Applies the next page of a pass: fetch from the committed cursor, upsert the page and
 * move the cursor in one transaction, then enqueue the following page. Killed anywhere,
 * a retry starts again from the committed cursor; a page applied twice changes nothing.
 */
export async function applyPage(deps: SyncDeps, data: PageData, ctx: JobContext): Promise<PageResult> {
  const module = stModule(data.module);
  if (!module) throw new UnrecoverableError(`Unknown ServiceTitan module ${data.module}`);
  const key: SyncKey = { tenantId: data.tenantId, source: SOURCE, module: module.name };
  const state = await findSyncState(deps.db, key);
  if (!state || state.runId !== data.runId) return { status: 'skipped', reason: 'pass is no longer running' };
  if (state.runPage > data.page) {
    // This page was committed but its successor may never have been enqueued (a crash in between).
    await enqueuePage(deps, data.tenantId, module.name, data.runId, state.runPage);
    return { status: 'skipped', reason: 'page already applied' };
  }
  if (state.runPage < data.page) return { status: 'skipped', reason: 'an earlier page is not applied yet' };

  try {
    const client = await deps.clients(data.tenantId);
    const page = await client.export(module.apiModule, module.resource, state.cursor, ctx.signal);
    const outcome = await deps.db.transaction(async (tx) => {
      const result = await upsertPage(tx, module, data.tenantId, page.data);
      const events = state.runEmitsEvents ? changeEvents(module, data.tenantId, result.changes) : [];
      const moved = await commitSyncPage(tx, key, data.runId, data.page, {
        cursor: page.continueFrom,
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
      const outbox = await insertOutbox(tx, eventOutboxRows(events));
      return { ...result, events: events.length, outbox };
    });
    await flushOutbox(deps.bus, outcome.outbox);
    if (page.hasMore) await enqueuePage(deps, data.tenantId, module.name, data.runId, data.page + 1);
    const applied = { status: 'applied' as const, page: data.page, records: page.data.length, inserted: outcome.inserted, updated: outcome.updated, unchanged: outcome.unchanged, events: outcome.events, hasMore: page.hasMore };
    ctx.logger.info({ module: module.name, runId: data.runId, ...applied }, page.hasMore ? 'sync page applied' : 'sync pass finished');
    return applied;
  } catch (err) {
    if (err instanceof LostRace) return { status: 'skipped', reason: 'another job applied this page' };
    const error = err instanceof Error ? err : new Error(String(err));
    if (!ctx.signal.aborted) await recordSyncError(deps.db, key, data.runId, error.message.slice(0, 2_000), isFinal(ctx.job, error));
    throw error;
  }
}
