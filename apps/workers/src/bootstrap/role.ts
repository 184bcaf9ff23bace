import type { Config } from '@fieldhand/config';
import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { Catalog, HandlerMap, JobBus, QueueName } from '@fieldhand/queues';

export type RoleDeps<C extends Catalog> = {
  config: Config;
  db: Database;
  bus: JobBus<C>;
  logger: Logger;
  /** Runs `close` when the role shuts down, after its workers stopped (the bootstrap passes it; tests may not). */
  onShutdown?: (close: () => Promise<unknown>) => void;
};

/** A worker role: the queues one PM2 app consumes and a handler for every job on them. */
export type RoleDefinition<C extends Catalog> = {
  name: string;
  queues: readonly QueueName[];
  handlers: (deps: RoleDeps<C>) => HandlerMap<C>;
};
