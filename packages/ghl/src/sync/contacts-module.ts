import { ghlContacts } from '@fieldhand/db';
import type { ChangeEvent, RowChange } from '@fieldhand/sync';
import type { GhlContactRecord } from '../client/ghl-client.js';
import type { GhlModule } from './ghl-module.js';
import { e164, ghlRow, obj, str, strings, time, type GhlRecord } from './values.js';

type SortValues = [number, string];

/** Where a contact sits in the dateUpdated-ascending order: what GHL returns as its searchAfter. */
function sortValues(contact: GhlContactRecord): SortValues {
  const [ms, id] = contact.searchAfter ?? [];
  return typeof ms === 'number' && typeof id === 'string' ? [ms, id] : [Date.parse(String(contact.dateUpdated ?? contact.dateAdded)), contact.id];
}

function parseCursor(cursor: string | null): SortValues | undefined {
  if (!cursor) return undefined;
  const value = JSON.parse(cursor) as unknown;
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') return [value[0], value[1]];
  throw new Error(`Unreadable GHL contacts cursor ${cursor}`);
}

const smsDnd = (settings: unknown): string | null => str(obj(obj(settings)?.SMS)?.status);

function contactEvents(change: RowChange): ChangeEvent[] {
  const { old, new: now } = change;
  const subject = { type: 'ghl-contact', id: change.id };
  const view = (row: GhlRecord) => ({ phone: row.phone, email: row.email, dnd: row.dnd, smsDnd: smsDnd(row.dnd_settings) });
  if (!old) return [{ type: 'ghl.contact.created', subject, refs: {}, old: null, new: view(now) }];
  const events: ChangeEvent[] = [{ type: 'ghl.contact.updated', subject, refs: {}, old: view(old), new: view(now) }];
  if (old.dnd !== now.dnd || smsDnd(old.dnd_settings) !== smsDnd(now.dnd_settings)) {
    events.push({ type: 'ghl.contact.dnd_changed', subject, refs: {}, old: view(old), new: view(now) });
  }
  return events;
}

export const contactsModule: GhlModule = {
  name: 'contacts',
  table: ghlContacts,
  toRow(record) {
    // searchAfter belongs to the search, not the contact: it would make every re-read a change.
    const { searchAfter: _s, ...contact } = record;
    const name = str(contact.name) ?? ([str(contact.firstName), str(contact.lastName)].filter(Boolean).join(' ') || null);
    return {
      ...ghlRow(contact, contact.dateUpdated, contact.dateAdded),
      phone: e164(contact.phone),
      email: str(contact.email),
      first_name: str(contact.firstName),
      last_name: str(contact.lastName),
      full_name: name,
      dnd: contact.dnd === true,
      dnd_settings: obj(contact.dndSettings),
      tags: strings(contact.tags),
      date_added: time(contact.dateAdded),
    };
  },
  tracked: ['phone', 'email', 'dnd', 'dnd_settings'],
  events: contactEvents,
  reconcile: true,
  /**
   * POST /contacts/search in dateUpdated order, continued with searchAfter (page-based
   * paging stops at 10,000). The cursor is the last contact's searchAfter, JSON-encoded;
   * a pass ends it at most `searchLagMs` before now, so the next pass starts there.
   */
  async fetch(client, cursor, options, signal) {
    const after = parseCursor(cursor);
    const { contacts } = await client.searchContacts(
      { pageLimit: options.contactsPageLimit, sort: [{ field: 'dateUpdated', direction: 'asc' }], ...(after ? { searchAfter: after } : {}) },
      signal,
    );
    const last = contacts.at(-1);
    if (last && contacts.length >= options.contactsPageLimit) return { records: contacts, cursor: JSON.stringify(sortValues(last)), hasMore: true };
    const reached = last ? sortValues(last) : after;
    if (!reached) return { records: contacts, cursor: null, hasMore: false };
    const settled = Date.now() - options.searchLagMs;
    // An empty id sorts before every id: the next pass starts with everything updated at that instant.
    const end: SortValues = reached[0] <= settled ? reached : [settled, ''];
    return { records: contacts, cursor: JSON.stringify(end), hasMore: false };
  },
};
