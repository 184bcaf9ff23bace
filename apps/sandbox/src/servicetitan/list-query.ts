import type { Request } from 'express';
import type { ListQuery } from './list-page.js';

export class QueryError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function text(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function integer(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = text(req, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new QueryError(name, `The value '${raw}' is not valid for ${name}.`);
  return value;
}

function date(req: Request, name: string): number | null {
  const raw = text(req, name);
  if (raw === undefined) return null;
  const value = Date.parse(raw);
  if (Number.isNaN(value)) throw new QueryError(name, `The value '${raw}' is not valid for ${name}.`);
  return value;
}

const RELATION_FIELDS = ['customerId', 'locationId', 'jobId', 'appointmentId', 'technicianId'] as const;

/** Parses ServiceTitan's list parameters; bad values become 400s like the real API. */
export function parseListQuery(req: Request): ListQuery {
  const activeRaw = text(req, 'active') ?? 'True';
  const active = ['True', 'Any', 'False'].find((option) => option.toLowerCase() === activeRaw.toLowerCase());
  if (!active) throw new QueryError('active', `The value '${activeRaw}' is not valid for active.`);
  const idsRaw = text(req, 'ids');
  const ids = idsRaw === undefined ? null : idsRaw.split(',').map((id) => Number(id.trim()));
  if (ids?.some((id) => !Number.isInteger(id))) throw new QueryError('ids', `The value '${idsRaw}' is not valid for ids.`);
  const equals: Record<string, number> = {};
  for (const field of RELATION_FIELDS) {
    const raw = text(req, field);
    if (raw === undefined) continue;
    equals[field] = integer(req, field, 0, 0, Number.MAX_SAFE_INTEGER);
  }
  return {
    page: integer(req, 'page', 1, 1, 1_000_000),
    pageSize: integer(req, 'pageSize', 50, 1, 5_000),
    includeTotal: (text(req, 'includeTotal') ?? 'false').toLowerCase() === 'true',
    active: active as ListQuery['active'],
    ids,
    modifiedOnOrAfter: date(req, 'modifiedOnOrAfter'),
    modifiedBefore: date(req, 'modifiedBefore'),
    createdOnOrAfter: date(req, 'createdOnOrAfter'),
    createdBefore: date(req, 'createdBefore'),
    equals,
  };
}
