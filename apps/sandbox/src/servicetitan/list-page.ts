import type { StRecord } from './generate/context.js';
import { ST_ROUTES, type StResource } from './st-resources.js';
import type { StWorld } from './st-world.js';

export interface ListQuery {
  page: number;
  pageSize: number;
  includeTotal: boolean;
  active: 'True' | 'Any' | 'False';
  ids: number[] | null;
  modifiedOnOrAfter: number | null;
  modifiedBefore: number | null;
  createdOnOrAfter: number | null;
  createdBefore: number | null;
  /** Equality filters on relation fields (jobId, customerId, locationId, ...). */
  equals: Record<string, number>;
}

export interface ListPage {
  page: number;
  pageSize: number;
  hasMore: boolean;
  totalCount: number | null;
  data: StRecord[];
}

function matches(record: StRecord, query: ListQuery): boolean {
  if (query.active === 'True' && !record.active) return false;
  if (query.active === 'False' && record.active) return false;
  const modified = Date.parse(record.modifiedOn);
  const created = Date.parse(record.createdOn);
  if (query.modifiedOnOrAfter !== null && modified < query.modifiedOnOrAfter) return false;
  if (query.modifiedBefore !== null && modified >= query.modifiedBefore) return false;
  if (query.createdOnOrAfter !== null && created < query.createdOnOrAfter) return false;
  if (query.createdBefore !== null && created >= query.createdBefore) return false;
  return Object.entries(query.equals).every(([field, value]) => record[field] === value);
}

/** The list view of a record: the export shape minus the fields the list schema lacks. */
export function listView(resource: StResource, record: StRecord): StRecord {
  const omit = ST_ROUTES[resource].listOmit;
  if (omit.length === 0) return record;
  const view: Record<string, unknown> = { ...record };
  for (const field of omit) delete view[field];
  return view as StRecord;
}

function* candidateIndexes(world: StWorld, resource: StResource, ids: number[] | null): Generator<number> {
  if (ids !== null) {
    for (const id of [...ids].sort((a, b) => a - b)) {
      const index = world.indexOf(resource, id);
      if (index !== undefined) yield index;
    }
    return;
  }
  const count = world.count(resource);
  for (let index = 0; index < count; index++) yield index;
}

/** Page-numbered list read, sorted by id like ServiceTitan's default. Scans, so it is for small reads. */
export function listPage(world: StWorld, resource: StResource, query: ListQuery): ListPage {
  const skip = (query.page - 1) * query.pageSize;
  const data: StRecord[] = [];
  let seen = 0;
  let hasMore = false;
  for (const index of candidateIndexes(world, resource, query.ids)) {
    const record = world.get(resource, index);
    if (!matches(record, query)) continue;
    seen += 1;
    if (seen <= skip) continue;
    if (data.length < query.pageSize) {
      data.push(listView(resource, record));
      continue;
    }
    hasMore = true;
    if (!query.includeTotal) break;
  }
  return { page: query.page, pageSize: query.pageSize, hasMore, totalCount: query.includeTotal ? seen : null, data };
}
