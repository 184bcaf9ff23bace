export { closeDatabase, createDatabase, type Database, type DatabaseOptions } from './client.js';
export { ensureDatabaseExists, migrationStatus, MIGRATIONS_FOLDER, runMigrations } from './migrate.js';
export { afterCursor, cursorTimestamp, decodeCursor, encodeCursor, toPage, type KeysetCursor, type Page } from './pagination.js';
export * from './repositories/api-keys.js';
export * from './repositories/dead-letters.js';
export * from './repositories/tenants.js';
export * from './repositories/webhook-inbox.js';
export * from './schema/index.js';
export * from './repositories/sync-state.js';
