import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * One row per saved version of a tenant's workflow. Versions are never edited:
 * a run stays pinned to the version it started on. `enabled` is kept equal on
 * every version of a key; the newest version of an enabled key is the one that triggers.
 */
export const workflowDefinitions = pgTable(
  'workflow_definitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    // The validated document (trigger, re-entry, stop conditions, steps).
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    enabled: boolean('enabled').notNull().default(false),
    // A shipped definition (estimate-follow-up, review-request, …) copied in for this tenant.
    shipped: boolean('shipped').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workflow_definitions_tenant_key_version_key').on(t.tenantId, t.key, t.version)],
);

/** One run of one definition version for one subject (an estimate, a job, …). */
export const workflowInstances = pgTable(
  'workflow_instances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    definitionId: uuid('definition_id')
      .notNull()
      .references(() => workflowDefinitions.id),
    definitionKey: text('definition_key').notNull(),
    definitionVersion: integer('definition_version').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    customerId: bigint('customer_id', { mode: 'number' }),
    phone: text('phone'),
    // active → completed | cancelled | failed
    status: text('status').$type<'active' | 'completed' | 'cancelled' | 'failed'>().notNull(),
    currentStep: text('current_step'),
    // When the current step's job is due; the reconciler looks for due steps with no job in Redis.
    nextStepAt: timestamp('next_step_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
    error: text('error'),
    // `estimate:123`, `phone:+15125550100`, `customer:42`: a stopping event finds its runs with one query.
    cancelKeys: text('cancel_keys').array().notNull().default(sql`'{}'::text[]`),
    triggerEventId: text('trigger_event_id'),
    replayOf: uuid('replay_of'),
    replayFromStep: text('replay_from_step'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    // A retried trigger event starts no second run.
    uniqueIndex('workflow_instances_trigger_key').on(t.definitionId, t.triggerEventId),
    index('workflow_instances_tenant_started_idx').on(t.tenantId, t.startedAt, t.id),
    index('workflow_instances_subject_idx').on(t.tenantId, t.definitionKey, t.subjectType, t.subjectId),
    index('workflow_instances_customer_idx').on(t.tenantId, t.definitionKey, t.customerId),
    index('workflow_instances_cancel_keys_idx').using('gin', t.cancelKeys).where(sql`${t.status} = 'active'`),
    index('workflow_instances_due_idx').on(t.nextStepAt).where(sql`${t.status} = 'active'`),
  ],
);

/** Each step of a run, written before its side effect so a retried step can tell it already acted. */
export const workflowStepRuns = pgTable(
  'workflow_step_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    instanceId: uuid('instance_id')
      .notNull()
      .references(() => workflowInstances.id, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    stepType: text('step_type').notNull(),
    // scheduled → running → completed | failed | cancelled
    status: text('status').$type<'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled'>().notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    // What the step did: the message id, the branch taken, the time waited until, …
    outcome: jsonb('outcome').$type<Record<string, unknown>>(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workflow_step_runs_instance_step_key').on(t.instanceId, t.stepId)],
);

/** Every event the engine evaluated, with why each definition did or did not start a run. */
export const workflowEvents = pgTable(
  'workflow_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    phone: text('phone'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    evaluations: jsonb('evaluations').$type<Record<string, unknown>[]>().notNull(),
    // Runs this event stopped, with the reason recorded on each.
    stopped: jsonb('stopped').$type<Record<string, unknown>[]>().notNull().default(sql`'[]'::jsonb`),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('workflow_events_tenant_event_key').on(t.tenantId, t.eventId),
    index('workflow_events_subject_idx').on(t.tenantId, t.subjectType, t.subjectId, t.evaluatedAt),
  ],
);
