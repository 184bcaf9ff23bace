import type { Config } from '@fieldhand/config';
import type { Database } from '@fieldhand/db';
import type { Logger } from '@fieldhand/observability';
import type { FieldhandCatalog, HandlerMap, HandlersFor, JobBus, QueueName } from '@fieldhand/queues';

export type RoleDeps = {
  config: Config;
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  logger: Logger;
  /** Runs `close` when the role shuts down, after its workers stopped (the bootstrap passes it; tests may not). */
  onShutdown?: (close: () => Promise<unknown>) => void;
};

/** A worker role: the queues one PM2 app consumes and a handler for every job on them. */
export type RoleDefinition = {
  name: string;
  queues: readonly QueueName[];
  handlers: (deps: RoleDeps) => HandlerMap<FieldhandCatalog>;
};

/**
 * Declares a role. `handlers` must answer every job the catalog routes to `queues`:
 * a missing one fails `pnpm typecheck` (and, for code that escapes the types, the
 * role's start).
 */
export function defineRole<const Q extends QueueName>(role: {
  name: string;
  queues: readonly Q[];
  handlers: (deps: RoleDeps) => HandlersFor<FieldhandCatalog, Q>;
}): RoleDefinition {
  return role;
}
