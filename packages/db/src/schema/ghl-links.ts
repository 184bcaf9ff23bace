import { bigint, index, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

export type GhlContactMatch = 'phone' | 'email' | 'created';

/**
 * A ServiceTitan customer and the GHL contact that stands for it. Several customers may
 * share one contact (a household phone); a customer has at most one.
 */
export const ghlCustomerLinks = pgTable(
  'ghl_customer_links',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    stCustomerId: bigint('st_customer_id', { mode: 'number' }).notNull(),
    ghlContactId: text('ghl_contact_id').notNull(),
    // How it was found: the same E.164 phone, else the same email, else we upserted the contact.
    matchedBy: text('matched_by').$type<GhlContactMatch>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.stCustomerId] }), index('ghl_customer_links_contact_idx').on(t.tenantId, t.ghlContactId)],
);

/**
 * A ServiceTitan estimate and its one GHL opportunity in a pipeline, with what was last
 * written to it (so a push that changes nothing makes no call). Written in the
 * transaction that settles the create's vendor_writes row.
 */
export const ghlEstimateLinks = pgTable(
  'ghl_estimate_links',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    stEstimateId: bigint('st_estimate_id', { mode: 'number' }).notNull(),
    pipelineId: text('pipeline_id').notNull(),
    ghlOpportunityId: text('ghl_opportunity_id').notNull(),
    ghlContactId: text('ghl_contact_id').notNull(),
    // What GHL holds as far as we know: open | won | lost, the stage, the value, the name.
    pushedStatus: text('pushed_status').notNull(),
    pushedStageId: text('pushed_stage_id'),
    pushedValue: numeric('pushed_value', { precision: 14, scale: 2 }),
    pushedName: text('pushed_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    pushedAt: timestamp('pushed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.stEstimateId, t.pipelineId] }), uniqueIndex('ghl_estimate_links_opportunity_key').on(t.tenantId, t.ghlOpportunityId)],
);
