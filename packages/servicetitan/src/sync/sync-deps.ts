import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import type { ClientFactory } from '../client/client-factory.js';

export const SOURCE = 'servicetitan';

export type SyncDeps = {
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  clients: ClientFactory;
  logger: Logger;
};

/** One job per page of a pass; the id makes enqueueing the same page twice a no-op. */
export function pageJobId(runId: string, page: number): string {
  return `st-${runId}-${page}`;
}

export async function enqueuePage(deps: Pick<SyncDeps, 'bus'>, tenantId: string, module: string, runId: string, page: number): Promise<void> {
  await deps.bus.enqueue('sync.page', { tenantId, source: SOURCE, module, runId, page }, { jobId: pageJobId(runId, page) });
}
