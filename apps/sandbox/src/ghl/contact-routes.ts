import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { ghlAccountOf, sameLocation } from './ghl-auth.js';
import type { GhlContact } from './ghl-types.js';

const dndSetting = z.object({ status: z.enum(['active', 'inactive', 'permanent']), message: z.string().optional(), code: z.string().optional() });
const upsertSchema = z.object({
  locationId: z.string(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  companyName: z.string().nullable().optional(),
  address1: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  state: z.string().nullable().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
  timezone: z.string().nullable().optional(),
  source: z.string().optional(),
  dnd: z.boolean().optional(),
  // Any subset of the channels (zod's record over an enum would demand all six).
  dndSettings: z.partialRecord(z.enum(['Call', 'Email', 'SMS', 'WhatsApp', 'GMB', 'FB']), dndSetting).optional(),
  tags: z.array(z.string()).optional(),
});

const filterSchema = z.object({ field: z.string(), operator: z.string(), value: z.unknown() });
const searchSchema = z.object({
  locationId: z.string(),
  page: z.number().int().min(1).optional(),
  pageLimit: z.number().int().min(1).max(500).default(20),
  searchAfter: z.tuple([z.number(), z.string()]).optional(),
  query: z.string().optional(),
  filters: z.array(z.union([filterSchema, z.object({ group: z.enum(['AND', 'OR']), filters: z.array(filterSchema) })])).optional(),
  // GHL's docs: one sort key; searchAfter is [that key's value in ms, id] of the last contact seen.
  sort: z.array(z.object({ field: z.enum(['dateAdded', 'dateUpdated']), direction: z.enum(['asc', 'desc']).default('asc') })).max(1).optional(),
});
// PUT /contacts/{contactId} (UpdateContactDto): the upsert's fields without locationId.
const updateSchema = upsertSchema.omit({ locationId: true });

type Filter = z.infer<typeof filterSchema>;

function fieldValue(contact: GhlContact, field: string): unknown {
  return (contact as unknown as Record<string, unknown>)[field];
}

function matchesFilter(contact: GhlContact, filter: Filter): boolean {
  const value = fieldValue(contact, filter.field);
  switch (filter.operator) {
    case 'eq':
      return Array.isArray(value) ? value.includes(filter.value) : value === filter.value || (typeof value === 'string' && typeof filter.value === 'string' && value.toLowerCase() === filter.value.toLowerCase());
    case 'not_eq':
      return value !== filter.value;
    case 'exists':
      return value !== undefined;
    case 'not_exists':
      return value === undefined;
    case 'contains':
      return Array.isArray(value) ? value.includes(filter.value) : typeof value === 'string' && value.toLowerCase().includes(String(filter.value).toLowerCase());
    default:
      return false;
  }
}

type SortField = 'dateAdded' | 'dateUpdated';

function sortKey(contact: GhlContact, field: SortField): [number, string] {
  return [Date.parse(contact[field]), contact.id];
}

/** Ascending or descending by the sort field, ties broken by id in the same direction. */
function compareBy(field: SortField, direction: 'asc' | 'desc') {
  const sign = direction === 'asc' ? 1 : -1;
  return (a: GhlContact, b: GhlContact): number => {
    const [am, ai] = sortKey(a, field);
    const [bm, bi] = sortKey(b, field);
    return sign * (am - bm || (ai < bi ? -1 : ai > bi ? 1 : 0));
  };
}

const PAGE_WINDOW_LIMIT = 10_000;

/** Contacts: search (page or searchAfter, sorted by dateAdded or dateUpdated), upsert, get, update, delete. */
export function contactRoutes(): Router {
  const router = Router();
  router.post('/contacts/search', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const parsed = searchSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(422).json({ statusCode: 422, message: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`), error: 'Unprocessable Entity' });
    const body = parsed.data;
    if (!sameLocation(account, body.locationId)) return void res.status(403).json({ statusCode: 403, message: 'The token does not have access to this location.' });
    if (body.page !== undefined && body.searchAfter) return void res.status(400).json({ statusCode: 400, message: 'page and searchAfter cannot be used together.' });
    if ((body.page ?? 1) * body.pageLimit > PAGE_WINDOW_LIMIT) {
      return void res.status(400).json({ statusCode: 400, message: 'Page-based pagination is limited to 10,000 records; use searchAfter.' });
    }
    const { field, direction } = body.sort?.[0] ?? { field: 'dateAdded' as const, direction: 'asc' as const };
    const query = body.query?.toLowerCase();
    const matching = [...account.store.contacts.values()]
      .filter((contact) => (query ? [contact.fullNameLowerCase, contact.emailLowerCase, contact.phone].some((v) => v?.includes(query)) : true))
      .filter((contact) =>
        (body.filters ?? []).every((filter) =>
          'group' in filter
            ? filter.group === 'AND' ? filter.filters.every((f) => matchesFilter(contact, f)) : filter.filters.some((f) => matchesFilter(contact, f))
            : matchesFilter(contact, filter),
        ),
      )
      .sort(compareBy(field, direction));
    let start = ((body.page ?? 1) - 1) * body.pageLimit;
    if (body.searchAfter) {
      // The first contact past the given position in the requested order.
      const compare = compareBy(field, direction);
      const [afterMs, afterId] = body.searchAfter;
      const position = { id: afterId, dateAdded: new Date(afterMs).toISOString(), dateUpdated: new Date(afterMs).toISOString() } as GhlContact;
      const next = matching.findIndex((c) => compare(c, position) > 0);
      start = next === -1 ? matching.length : next;
    }
    const contacts = matching.slice(start, start + body.pageLimit).map((contact) => ({ ...contact, searchAfter: sortKey(contact, field) }));
    res.json({ contacts, total: matching.length });
  });

  router.post('/contacts/upsert', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const parsed = upsertSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(422).json({ statusCode: 422, message: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`), error: 'Unprocessable Entity' });
    const { locationId, ...input } = parsed.data;
    if (!sameLocation(account, locationId)) return void res.status(403).json({ statusCode: 403, message: 'The token does not have access to this location.' });
    if (!input.email && !input.phone) return void res.status(400).json({ statusCode: 400, message: 'Either email or phone is required to upsert a contact.' });
    const existing = account.store.findByEmailOrPhone(input.email ?? undefined, input.phone ?? undefined);
    const contact = existing ? account.store.update(existing, input) : account.store.insert(input);
    res.json({ new: !existing, contact, traceId: randomUUID() });
  });

  router.put('/contacts/:contactId', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contact = account.store.contacts.get(String(req.params['contactId']));
    if (!contact) return void res.status(400).json({ statusCode: 400, message: 'Contact not found' });
    const parsed = updateSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(422).json({ statusCode: 422, message: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`), error: 'Unprocessable Entity' });
    res.json({ succeded: true, contact: account.store.update(contact, parsed.data) });
  });

  router.delete('/contacts/:contactId', (req, res) => {
    const account = ghlAccountOf(res.locals);
    if (!account.store.deleteContact(String(req.params['contactId']))) return void res.status(400).json({ statusCode: 400, message: 'Contact not found' });
    res.json({ succeded: true });
  });

  router.get('/contacts/:contactId', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contact = account.store.contacts.get(String(req.params['contactId']));
    if (!contact) return void res.status(400).json({ statusCode: 400, message: 'Contact not found' });
    res.json({ contact });
  });
  return router;
}
