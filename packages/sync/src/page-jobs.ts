import type { SyncDeps } from './sync-sources.js';

/** One job per page of a pass; the id makes enqueueing the same page twice a no-op. */
function pageJobId(runId: string, page: number): string {
  return `sync-${runId}-${page}`;
}

export async function enqueuePage(deps: Pick<SyncDeps, 'bus'>, key: { tenantId: string; source: string; module: string }, runId: string, page: number): Promise<void> {
  await deps.bus.enqueue('sync.page', { tenantId: key.tenantId, source: key.source, module: key.module, runId, page }, { jobId: pageJobId(runId, page) });
}
