import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from './pg.js';
import type { Database } from './client.js';

// packages/db/{src,dist}/migrate.* → <repo>/migrations
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url));

// Any fixed number shared by every process; serialises concurrent migrators.
const MIGRATION_LOCK_ID = 7_240_511;

/** Applies pending migrations; safe to call from several processes at once. */
export async function runMigrations(db: Database): Promise<void> {
  const client = await db.$client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    // Migrate on the connection holding the lock: a pool of one must not deadlock.
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    client.release();
  }
}

/** Number of migrations the code expects versus the number the database has applied. */
// The journal ships with the code: read once per process, not per readiness probe.
let expectedMigrations: number | undefined;

function expectedMigrationCount(): number {
  expectedMigrations ??= (JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: unknown[] }).entries.length;
  return expectedMigrations;
}

export async function migrationStatus(db: Database): Promise<{ expected: number; applied: number }> {
  let applied = 0;
  try {
    const result = await db.execute<{ count: string }>(sql`select count(*)::text as count from drizzle.__drizzle_migrations`);
    applied = Number(result.rows[0]?.count ?? 0);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err; // undefined_table: nothing applied yet
  }
  return { expected: expectedMigrationCount(), applied };
}

/** Creates the database named in `url` if it does not exist (used by `npm start`). */
export async function ensureDatabaseExists(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name.replaceAll('"', '""')}"`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return false; // created concurrently
    throw err;
  } finally {
    await client.end();
  }
}
