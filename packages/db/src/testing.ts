import { randomBytes } from 'node:crypto';
import pg from './pg.js';
import { closeDatabase, createDatabase, type Database } from './client.js';
import { runMigrations } from './migrate.js';
import { currentEncryptionKeyId, useEncryptionKeys } from './secrets/secret-box.js';

export type TestDatabase = { url: string; db: Database; drop: () => Promise<void> };

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The tests' vendor-secret key: processes a test starts (PM2 apps) get it as FIELDHAND_ENCRYPTION_KEY. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** A fresh, migrated database for one test file; `drop()` removes it. Seals secrets with the test key unless a test chose its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!currentEncryptionKeyId()) useEncryptionKeys(TEST_ENCRYPTION_KEY);
  const name = `fh_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createDatabase({ url: url.toString(), max: 5, applicationName: 'fieldhand-test' });
  await runMigrations(db);
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await closeDatabase(db);
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
