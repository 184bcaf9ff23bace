import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * Columns every GHL mirror table shares: our tenant, GHL's id (a string), the whole
 * vendor record, and what the sync engine needs (modified_on orders writes, active is
 * cleared by a reconciling full pass for records GHL no longer returns).
 */
function ghlColumns() {
  return {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    active: boolean('active').notNull().default(true),
    // GHL's own dateUpdated/updatedAt (pipelines have none).
    dateUpdated: timestamp('date_updated', { withTimezone: true }),
    // The engine's ordering: date_updated, else the creation time, else the epoch.
    modifiedOn: timestamp('modified_on', { withTimezone: true }).notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
    raw: jsonb('raw').$type<Record<string, unknown>>().notNull(),
  };
}

export const ghlContacts = pgTable(
  'ghl_contacts',
  {
    ...ghlColumns(),
    // E.164 through @fieldhand/phone, so it matches what SMS sends to and stops on.
    phone: text('phone'),
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    fullName: text('full_name'),
    dnd: boolean('dnd').notNull().default(false),
    // Per channel: { SMS: { status: 'active' | 'inactive' | 'permanent', … }, … }.
    dndSettings: jsonb('dnd_settings').$type<Record<string, unknown>>(),
    tags: text('tags').array(),
    dateAdded: timestamp('date_added', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('ghl_contacts_modified_idx').on(t.tenantId, t.modifiedOn),
    // For matching ServiceTitan customers to GHL contacts.
    index('ghl_contacts_phone_idx').on(t.tenantId, t.phone),
    index('ghl_contacts_email_idx').on(t.tenantId, sql`lower(${t.email})`),
  ],
);

export const ghlOpportunities = pgTable(
  'ghl_opportunities',
  {
    ...ghlColumns(),
    name: text('name'),
    // open | won | lost | abandoned
    status: text('status'),
    pipelineId: text('pipeline_id'),
    pipelineStageId: text('pipeline_stage_id'),
    monetaryValue: numeric('monetary_value'),
    contactId: text('contact_id'),
    assignedTo: text('assigned_to'),
    dateAdded: timestamp('date_added', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('ghl_opportunities_contact_idx').on(t.tenantId, t.contactId),
    index('ghl_opportunities_pipeline_idx').on(t.tenantId, t.pipelineId, t.pipelineStageId),
  ],
);

export const ghlPipelines = pgTable(
  'ghl_pipelines',
  {
    ...ghlColumns(),
    name: text('name'),
    // [{ id, name, position, … }] as GHL returns them.
    stages: jsonb('stages').$type<Array<Record<string, unknown>>>(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
