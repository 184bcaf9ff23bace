import type { GhlClient, GhlOpportunityRecord } from '../client/ghl-client.js';
import { estimateMarker } from './estimate-pipeline.js';

// A contact has a handful of opportunities in one pipeline; this bounds a runaway search.
const MAX_PAGES = 20;

/**
 * The opportunity an earlier attempt may have created for an estimate before its answer
 * was lost: searched by contact and pipeline (any status), matched by the ServiceTitan id
 * its name carries. The oldest wins if there are several.
 */
export async function findPushedOpportunity(client: GhlClient, search: { contactId: string; pipelineId: string; estimateId: number }): Promise<GhlOpportunityRecord | undefined> {
  const marker = estimateMarker(search.estimateId);
  const found: GhlOpportunityRecord[] = [];
  let after: { startAfter?: string; startAfterId?: string } = {};
  for (let page = 0; page < MAX_PAGES; page++) {
    const { opportunities, meta } = await client.searchOpportunities({ limit: 100, status: 'all', contactId: search.contactId, pipelineId: search.pipelineId, ...after });
    found.push(...opportunities.filter((o) => typeof o.name === 'string' && o.name.endsWith(marker) && (o.contactId === undefined || o.contactId === search.contactId)));
    const next = meta?.startAfterId;
    if (opportunities.length < 100 || typeof next !== 'string' || meta?.startAfter === undefined) break;
    after = { startAfter: String(meta.startAfter), startAfterId: next };
  }
  return found.sort((a, b) => String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')) || a.id.localeCompare(b.id))[0];
}
