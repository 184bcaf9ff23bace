import type { Cluster, Redis } from 'ioredis';
import type { Config } from '@fieldhand/config';
import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';

export type AppDeps = {
  config: Config;
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  /** For rate limiting and readiness; the producer connection is fine to share. */
  redis: Redis | Cluster;
  logger: Logger;
};
