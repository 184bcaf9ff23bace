import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from './pg.js';
import * as schema from './schema/index.js';
import { useEncryptionKeys } from './secrets/secret-box.js';

export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export type DatabaseOptions = {
  url: string;
  max?: number;
  applicationName?: string;
  /** The process's keys for vendor secrets at rest (FIELDHAND_ENCRYPTION_KEY, …_PREVIOUS_KEYS). */
  encryption?: { key: string | undefined; previousKeys?: readonly string[] };
  /**
   * Set on every connection: no statement runs longer, no lock is waited on longer, and
   * no transaction sits idle longer (a crashed or stuck caller cannot hold locks and a
   * connection forever). Unset: PostgreSQL's defaults (none).
   */
  timeouts?: { statementMs: number; lockMs: number; idleInTransactionMs: number };
};

export function createDatabase(options: DatabaseOptions): Database {
  if (options.encryption) useEncryptionKeys(options.encryption.key, options.encryption.previousKeys);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'fieldhand',
    // Fail fast instead of hanging a request or job when PostgreSQL is unreachable.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.timeouts
      ? {
          statement_timeout: options.timeouts.statementMs,
          lock_timeout: options.timeouts.lockMs,
          idle_in_transaction_session_timeout: options.timeouts.idleInTransactionMs,
        }
      : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return drizzle(pool, { schema }) as Database;
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end();
}
