import { bigint, boolean, jsonb, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * Columns every ServiceTitan mirror table shares: our tenant, ServiceTitan's id, the
 * whole vendor record, and the bookkeeping the sync needs. Typed columns per table are
 * extracted from `raw` for what the product queries.
 */
export function stColumns() {
  return {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint('id', { mode: 'number' }).notNull(),
    active: boolean('active').notNull(),
    createdOn: timestamp('created_on', { withTimezone: true }),
    modifiedOn: timestamp('modified_on', { withTimezone: true }).notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
    raw: jsonb('raw').$type<Record<string, unknown>>().notNull(),
  };
}

export const stId = (name: string) => bigint(name, { mode: 'number' });
export const stTime = (name: string) => timestamp(name, { withTimezone: true });
