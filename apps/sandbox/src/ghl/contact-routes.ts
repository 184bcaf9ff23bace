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
  dndSettings: z.record(z.enum(['Call', 'Email', 'SMS', 'WhatsApp', 'GMB', 'FB']), dndSetting).optional(),
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
});

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

function sortKey(contact: GhlContact): [number, string] {
  return [Date.parse(contact.dateAdded), contact.id];
}

const PAGE_WINDOW_LIMIT = 10_000;

/** Contacts: search (page or searchAfter), upsert, get. */
export function contactRoutes(): Router {
  const router = Router();
  router.post('/contacts/search', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const parsed = searchSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(422).json({ statusCode: 422, message: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`), error: 'Unprocessable Entity' });
    const body = parsed.data;
    if (!sameLocation(account, body.locationId)) return void res.status(403).json({ statusCode: 403, message: 'The token does not have access to this location.' });
    if ((body.page ?? 1) * body.pageLimit > PAGE_WINDOW_LIMIT) {
      return void res.status(400).json({ statusCode: 400, message: 'Page-based pagination is limited to 10,000 records; use searchAfter.' });
    }
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
      .sort((a, b) => sortKey(a)[0] - sortKey(b)[0] || sortKey(a)[1].localeCompare(sortKey(b)[1]));
    let start = ((body.page ?? 1) - 1) * body.pageLimit;
    if (body.searchAfter) {
      const [afterMs, afterId] = body.searchAfter;
      const next = matching.findIndex((c) => sortKey(c)[0] > afterMs || (sortKey(c)[0] === afterMs && c.id > afterId));
      start = next === -1 ? matching.length : next;
    }
    const contacts = matching.slice(start, start + body.pageLimit).map((contact) => ({ ...contact, searchAfter: sortKey(contact) }));
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

  router.get('/contacts/:contactId', (req, res) => {
    const account = ghlAccountOf(res.locals);
    const contact = account.store.contacts.get(String(req.params['contactId']));
    if (!contact) return void res.status(400).json({ statusCode: 400, message: 'Contact not found' });
    res.json({ contact });
  });
  return router;
}
