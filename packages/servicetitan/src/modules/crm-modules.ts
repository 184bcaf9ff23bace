import { stCustomerContacts, stCustomers, stLocationContacts, stLocations } from '@fieldhand/db';
import type { ChangeEvent, RowChange } from '@fieldhand/sync';
import type { StModuleSpec } from './st-module.js';
import { bool, contactColumns, int, obj, str } from './values.js';

function addressColumns(address: unknown) {
  const a = obj(address);
  return { street: str(a.street), city: str(a.city), state: str(a.state), zip: str(a.zip) };
}

/** contact.phone_changed / contact.do_not_text_changed; a new contact is not a change. */
function contactEvents(subjectType: string, parentRef: string, parentColumn: string) {
  return (change: RowChange): ChangeEvent[] => {
    if (!change.old) return [];
    const events: ChangeEvent[] = [];
    const subject = { type: subjectType, id: change.id };
    const refs = { [parentRef]: (change.new[parentColumn] as number | null) ?? null };
    // Compared in E.164, so a re-formatted number is not a change; emails have no phone.
    if (change.old.phone !== change.new.phone) {
      events.push({ type: 'contact.phone_changed', subject, refs, old: { phone: change.old.phone, value: change.old.value }, new: { phone: change.new.phone, value: change.new.value } });
    }
    if (change.old.do_not_text !== change.new.do_not_text) {
      events.push({ type: 'contact.do_not_text_changed', subject, refs, old: { doNotText: change.old.do_not_text, phone: change.old.phone }, new: { doNotText: change.new.do_not_text, phone: change.new.phone } });
    }
    return events;
  };
}

export const crmModules: StModuleSpec[] = [
  {
    name: 'customers',
    apiModule: 'crm',
    resource: 'customers',
    table: stCustomers,
    columns: (r) => ({ name: str(r.name), type: str(r.type), ...addressColumns(r.address), do_not_service: bool(r.doNotService), merged_to_id: int(r.mergedToId) }),
    tracked: [],
  },
  {
    name: 'customer-contacts',
    apiModule: 'crm',
    resource: 'customers/contacts',
    table: stCustomerContacts,
    columns: (r) => ({ customer_id: int(r.customerId), ...contactColumns(r) }),
    tracked: ['customer_id', 'value', 'phone', 'do_not_text'],
    events: contactEvents('customer-contact', 'customerId', 'customer_id'),
  },
  {
    name: 'locations',
    apiModule: 'crm',
    resource: 'locations',
    table: stLocations,
    columns: (r) => ({ customer_id: int(r.customerId), name: str(r.name), ...addressColumns(r.address) }),
    tracked: [],
  },
  {
    name: 'location-contacts',
    apiModule: 'crm',
    resource: 'locations/contacts',
    table: stLocationContacts,
    columns: (r) => ({ location_id: int(r.locationId), ...contactColumns(r) }),
    tracked: ['location_id', 'value', 'phone', 'do_not_text'],
    events: contactEvents('location-contact', 'locationId', 'location_id'),
  },
];
