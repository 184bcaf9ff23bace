import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * Where each tenant's sync of one vendor module stands. `cursor` is the vendor's
 * continuation token (ServiceTitan's continueFrom) of the last page committed: it is
 * written in the same transaction as that page's rows, so it never runs ahead of the data.
 */
export const syncState = pgTable(
  'sync_state',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    module: text('module').notNull(),
    cursor: text('cursor'),
    // The pass in progress (null when idle): at most one per tenant+source+module.
    runId: uuid('run_id'),
    // Pages the current pass has committed; page jobs compare-and-set it, so a duplicate job cannot apply a page twice.
    runPage: integer('run_page').notNull().default(0),
    runEmitsEvents: boolean('run_emits_events').notNull().default(false),
    // The pass reads the module from the beginning (a first pass, a reconcile, a feed without a cursor).
    runFull: boolean('run_full').notNull().default(false),
    // Last progress of the current pass; a pass silent for too long is re-kicked by the planner.
    runHeartbeatAt: timestamp('run_heartbeat_at', { withTimezone: true }),
    lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    // When a full pass last finished: a source that reconciles starts the next one after its interval.
    lastFullSuccessAt: timestamp('last_full_success_at', { withTimezone: true }),
    lastError: text('last_error'),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
    // Overrides the deployment's default pass interval for this tenant+module.
    intervalSeconds: integer('interval_seconds'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.source, t.module] })],
);

/** One row per pass of one module: what it read and changed. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    module: text('module').notNull(),
    full: boolean('full').notNull(),
    emitsEvents: boolean('emits_events').notNull(),
    // running | succeeded | failed
    status: text('status').notNull().default('running'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    pages: integer('pages').notNull().default(0),
    inserted: integer('inserted').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    events: integer('events').notNull().default(0),
    error: text('error'),
  },
  (t) => [index('sync_runs_tenant_module_idx').on(t.tenantId, t.source, t.module, t.startedAt)],
);

/**
 * The ids a full pass of a reconciling module has read so far (one row per record, the
 * latest pass's run id). When the pass finishes, rows of the mirror table it did not see
 * are marked inactive: the feed reports no deletions (GHL's search never returns a
 * deleted contact).
 */
export const syncSeenRows = pgTable(
  'sync_seen_rows',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    module: text('module').notNull(),
    // The vendor's id as text, whatever its type in the mirror table.
    id: text('id').notNull(),
    runId: uuid('run_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.source, t.module, t.id] })],
);
