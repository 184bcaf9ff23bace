import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * What an operator did, by whom, when. `tenant_id` has no foreign key on purpose: the
 * record of who did what to a tenant must outlive the tenant. `actor` is the API key's
 * prefix (`admin` for the bootstrap key from the environment), never the key itself.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: jsonb('target').$type<Record<string, unknown>>().notNull(),
    correlationId: text('correlation_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_tenant_created_idx').on(t.tenantId, t.createdAt, t.id), index('audit_log_created_idx').on(t.createdAt, t.id)],
);
