import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import type { ClientFactory } from '@fieldhand/servicetitan';

export type ReminderDeps = {
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  logger: Logger;
  /** ServiceTitan clients, for the confirmations written back. */
  serviceTitan: ClientFactory;
  /** Injectable so windows and lateness can be tested without waiting. */
  clock?: () => Date;
};

export const nowOf = (deps: Pick<ReminderDeps, 'clock'>): Date => deps.clock?.() ?? new Date();
