import { findStalledSyncPasses, listServiceTitanTenants, listSyncStates } from '@fieldhand/db';
import { ST_MODULE_NAMES } from '../modules/index.js';
import type { SyncSettings } from '../sync-settings.js';
import { startSync } from './start-sync.js';
import { enqueuePage, SOURCE, type SyncDeps } from './sync-deps.js';

/**
 * Runs on one job scheduler for the whole deployment: starts every tenant's passes that
 * are due, and re-enqueues the next page of passes that went silent. Per-tenant
 * schedulers would have to be created and removed as tenants come and go; one planner
 * reading sync_state needs neither.
 */
export async function planSyncs(
  deps: Pick<SyncDeps, 'db' | 'bus' | 'logger'>,
  settings: Pick<SyncSettings, 'SYNC_INTERVAL_SECONDS' | 'SYNC_STALLED_AFTER_SECONDS'>,
  nowMs = Date.now(),
): Promise<{ started: number; rekicked: number }> {
  let started = 0;
  for (const tenant of await listServiceTitanTenants(deps.db)) {
    const states = new Map((await listSyncStates(deps.db, tenant.id, SOURCE)).map((s) => [s.module, s]));
    const due = ST_MODULE_NAMES.filter((module) => {
      const state = states.get(module);
      if (!state?.lastStartedAt) return true;
      if (state.runId) return false;
      return nowMs - state.lastStartedAt.getTime() >= (state.intervalSeconds ?? settings.SYNC_INTERVAL_SECONDS) * 1000;
    });
    if (due.length === 0) continue;
    const passes = await startSync(deps, { tenantId: tenant.id, source: SOURCE, modules: due, full: false });
    started += passes.filter((p) => p.started).length;
  }
  const stalled = await findStalledSyncPasses(deps.db, SOURCE, settings.SYNC_STALLED_AFTER_SECONDS);
  for (const state of stalled) await enqueuePage(deps, state.tenantId, state.module, state.runId!, state.runPage);
  if (started > 0 || stalled.length > 0) deps.logger.info({ started, rekicked: stalled.length }, 'sync passes planned');
  return { started, rekicked: stalled.length };
}
