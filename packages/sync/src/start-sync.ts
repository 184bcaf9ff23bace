import { startSyncPass } from '@fieldhand/db';
import { UnrecoverableError, type FieldhandCatalog, type JobData } from '@fieldhand/queues';
import { enqueuePage } from './page-jobs.js';
import { findModule, type SyncDeps } from './sync-sources.js';

export type StartData = JobData<FieldhandCatalog, 'sync.start'>;

export type StartedModule = { module: string; runId: string; started: boolean };

/** Starts a pass for each requested module of the source; a module already syncing keeps its pass. */
export async function startSync(deps: Pick<SyncDeps, 'db' | 'bus' | 'sources'>, data: Omit<StartData, 'correlationId'>): Promise<StartedModule[]> {
  const source = deps.sources.get(data.source);
  if (!source) throw new UnrecoverableError(`Unknown sync source ${data.source}`);
  const names = data.modules?.length ? data.modules : source.modules.map((m) => m.name);
  const unknown = names.filter((name) => !findModule(source, name));
  if (unknown.length > 0) throw new UnrecoverableError(`Unknown ${source.name} module(s): ${unknown.join(', ')}`);
  const started: StartedModule[] = [];
  for (const module of names) {
    const key = { tenantId: data.tenantId, source: source.name, module };
    const pass = await startSyncPass(deps.db, key, { full: data.full, ...(data.emitEvents !== undefined ? { emitEvents: data.emitEvents } : {}) });
    // Also for a pass already running: its current page job is re-added if it was lost.
    await enqueuePage(deps, key, pass.runId, pass.page);
    started.push({ module, runId: pass.runId, started: pass.started });
  }
  return started;
}
