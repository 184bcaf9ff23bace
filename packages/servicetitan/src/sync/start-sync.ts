import { UnrecoverableError } from 'bullmq';
import { startSyncPass } from '@fieldhand/db';
import type { FieldhandCatalog, JobData } from '@fieldhand/queues';
import { ST_MODULE_NAMES, stModule } from '../modules/index.js';
import { enqueuePage, SOURCE, type SyncDeps } from './sync-deps.js';

export type StartData = JobData<FieldhandCatalog, 'sync.start'>;

export type StartedModule = { module: string; runId: string; started: boolean };

/** Starts a pass for each requested module; a module already syncing keeps its pass. */
export async function startSync(deps: Pick<SyncDeps, 'db' | 'bus'>, data: Omit<StartData, 'correlationId'>): Promise<StartedModule[]> {
  const names = data.modules?.length ? data.modules : ST_MODULE_NAMES;
  const unknown = names.filter((name) => !stModule(name));
  if (unknown.length > 0) throw new UnrecoverableError(`Unknown ServiceTitan module(s): ${unknown.join(', ')}`);
  const started: StartedModule[] = [];
  for (const module of names) {
    const pass = await startSyncPass(deps.db, { tenantId: data.tenantId, source: SOURCE, module }, { full: data.full, ...(data.emitEvents !== undefined ? { emitEvents: data.emitEvents } : {}) });
    // Also for a pass already running: its current page job is re-added if it was lost.
    await enqueuePage(deps, data.tenantId, module, pass.runId, pass.page);
    started.push({ module, runId: pass.runId, started: pass.started });
  }
  return started;
}
