import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import type { GhlClientFactory } from '../client/client-factory.js';

/** What the ghl-push handlers need. */
export type GhlPushDeps = { db: Database; bus: JobBus<FieldhandCatalog>; logger: Logger; clients: GhlClientFactory };
