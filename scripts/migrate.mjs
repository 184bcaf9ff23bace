// `npm run migrate`: creates the database if missing and applies pending migrations.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfPossible, ensureInstalled, log, root } from './lib/toolchain.mjs';

await ensureInstalled();
if (!process.argv.includes('--no-build')) await buildIfPossible();
const db = await import(pathToFileURL(join(root, 'packages/db/dist/index.js')).href);
const url = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/fieldhand';
if (await db.ensureDatabaseExists(url)) log(`created database ${new URL(url).pathname.slice(1)}`);
const conn = db.createDatabase({ url, max: 1, applicationName: 'fieldhand-migrate' });
await db.runMigrations(conn);
const status = await db.migrationStatus(conn);
await db.closeDatabase(conn);
log(`migrations applied: ${status.applied}/${status.expected}`);
