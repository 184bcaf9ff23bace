import type { Database } from './client.js';

/** The handle a `db.transaction(async (tx) => …)` callback receives. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Where a repository function runs its statements: the pool, the caller's transaction,
 * or a drizzle instance bound to one checked-out client (a SessionStatement batch).
 */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;
