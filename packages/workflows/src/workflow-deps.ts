import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';

export type WorkflowDeps = {
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  logger: Logger;
  /** Injectable so waits and send windows can be tested without waiting. */
  clock?: () => Date;
};

export const nowOf = (deps: WorkflowDeps): Date => deps.clock?.() ?? new Date();
