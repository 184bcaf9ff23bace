import { findGhlContactsByPhone, type Database } from '@fieldhand/db';
import { normalizePhone } from '@fieldhand/phone';
import type { GhlClient } from '../client/ghl-client.js';

export type PhoneContact = { id: string; name: string | null; assignedTo: string | null };

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/**
 * The location's contacts with this phone: the mirror's, plus any GHL's search finds that
 * the mirror has not pulled yet (a contact made since the last pass). Mirror rows first.
 */
export async function contactsWithPhone(db: Database, client: GhlClient, tenantId: string, phone: string, signal?: AbortSignal): Promise<PhoneContact[]> {
  const found = new Map<string, PhoneContact>();
  for (const row of await findGhlContactsByPhone(db, tenantId, phone)) {
    found.set(row.id, { id: row.id, name: row.fullName ?? text([row.firstName, row.lastName].filter(Boolean).join(' ')), assignedTo: text(row.raw['assignedTo']) });
  }
  const { contacts } = await client.searchContacts({ pageLimit: 20, filters: [{ field: 'phone', operator: 'eq', value: phone }] }, signal);
  for (const contact of contacts) {
    if (found.has(contact.id) || typeof contact['phone'] !== 'string' || normalizePhone(contact['phone']) !== phone) continue;
    const name = text(contact['name']) ?? text([contact['firstName'], contact['lastName']].filter((v) => typeof v === 'string').join(' '));
    found.set(contact.id, { id: contact.id, name, assignedTo: text(contact['assignedTo']) });
  }
  return [...found.values()];
}
