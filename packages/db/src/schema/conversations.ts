import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * How far the office has read one customer's thread: inbound texts after `read_at` are
 * unread. A thread is the tenant's messages to and from one phone; it needs no row of its
 * own, so a thread nobody opened has none here.
 */
export const conversationReads = pgTable(
  'conversation_reads',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    phone: text('phone').notNull(),
    readAt: timestamp('read_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.phone] })],
);
