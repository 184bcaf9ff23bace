import { boolean, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { stColumns, stId } from './st-columns.js';

export const stCustomers = pgTable(
  'st_customers',
  {
    ...stColumns(),
    name: text('name'),
    type: text('type'),
    street: text('street'),
    city: text('city'),
    state: text('state'),
    zip: text('zip'),
    doNotService: boolean('do_not_service'),
    mergedToId: stId('merged_to_id'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('st_customers_modified_idx').on(t.tenantId, t.modifiedOn)],
);

// A customer's phones and emails live here, not on the customer.
export const stCustomerContacts = pgTable(
  'st_customer_contacts',
  {
    ...stColumns(),
    customerId: stId('customer_id'),
    type: text('type'),
    value: text('value'),
    // E.164, set only for phone-like types whose value parses as a phone number.
    phone: text('phone'),
    doNotText: boolean('do_not_text').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('st_customer_contacts_customer_idx').on(t.tenantId, t.customerId),
    index('st_customer_contacts_phone_idx').on(t.tenantId, t.phone),
  ],
);

export const stLocations = pgTable(
  'st_locations',
  {
    ...stColumns(),
    customerId: stId('customer_id'),
    name: text('name'),
    street: text('street'),
    city: text('city'),
    // State and zip decide the recipient's time zone for quiet hours.
    state: text('state'),
    zip: text('zip'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('st_locations_customer_idx').on(t.tenantId, t.customerId)],
);

export const stLocationContacts = pgTable(
  'st_location_contacts',
  {
    ...stColumns(),
    locationId: stId('location_id'),
    type: text('type'),
    value: text('value'),
    phone: text('phone'),
    doNotText: boolean('do_not_text').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('st_location_contacts_location_idx').on(t.tenantId, t.locationId),
    index('st_location_contacts_phone_idx').on(t.tenantId, t.phone),
  ],
);
