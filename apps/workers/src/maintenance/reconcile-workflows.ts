import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { reconcileRuns } from '@fieldhand/workflows';

/** Restores workflow step jobs Redis lost; PostgreSQL's runs are the truth. */
export function reconcileWorkflows(deps: { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger }) {
  return reconcileRuns(deps);
}
