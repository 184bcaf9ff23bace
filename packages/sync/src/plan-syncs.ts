import { findStalledSyncPasses, listSyncStates } from '@fieldhand/db';
import { startSync } from './start-sync.js';
import { enqueuePage } from './page-jobs.js';
import type { SyncDeps } from './sync-sources.js';

/** What the planner needs from the configuration (parsed in packages/config). */
export type SyncSettings = {
  SYNC_INTERVAL_SECONDS: number;
  SYNC_STALLED_AFTER_SECONDS: number;
};

/**
 * Runs on one job scheduler for the whole deployment: starts every tenant's passes that
 * are due, for every source, and re-enqueues the next page of passes that went silent.
 * Per-tenant schedulers would have to be created and removed as tenants come and go; one
 * planner reading sync_state needs neither. A source with `fullPassIntervalSeconds` also
 * gets a full pass of each module when its last one is that old (it emits the changes it
 * finds like any later pass, and marks what it no longer finds inactive).
 */
export async function planSyncs(deps: Pick<SyncDeps, 'db' | 'bus' | 'sources' | 'logger'>, settings: SyncSettings, nowMs = Date.now()): Promise<{ started: number; rekicked: number }> {
  let started = 0;
  let rekicked = 0;
  for (const source of deps.sources.list) {
    for (const tenantId of await source.tenantIds(deps.db)) {
      const states = new Map((await listSyncStates(deps.db, tenantId, source.name)).map((s) => [s.module, s]));
      const full: string[] = [];
      const due: string[] = [];
      for (const module of source.modules.map((m) => m.name)) {
        const state = states.get(module);
        if (state?.runId) continue;
        // A source that reconciles re-reads each module whole once its last full pass is this old.
        const reconcileMs = source.fullPassIntervalSeconds === undefined ? undefined : source.fullPassIntervalSeconds * 1000;
        if (state?.lastSuccessAt && reconcileMs !== undefined && (!state.lastFullSuccessAt || nowMs - state.lastFullSuccessAt.getTime() >= reconcileMs)) full.push(module);
        else if (!state?.lastStartedAt || nowMs - state.lastStartedAt.getTime() >= (state.intervalSeconds ?? settings.SYNC_INTERVAL_SECONDS) * 1000) due.push(module);
      }
      for (const [modules, isFull] of [[due, false], [full, true]] as const) {
        if (modules.length === 0) continue;
        const passes = await startSync(deps, { tenantId, source: source.name, modules, full: isFull });
        started += passes.filter((p) => p.started).length;
      }
    }
    const stalled = await findStalledSyncPasses(deps.db, source.name, settings.SYNC_STALLED_AFTER_SECONDS);
    for (const state of stalled) await enqueuePage(deps, state, state.runId!, state.runPage);
    rekicked += stalled.length;
  }
  if (started > 0 || rekicked > 0) deps.logger.info({ started, rekicked }, 'sync passes planned');
  return { started, rekicked };
}
