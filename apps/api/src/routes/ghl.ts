import { z } from 'zod';
import { listSyncedGhlPipelines, type Database, type GhlPipelineRow } from '@fieldhand/db';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { uuidParam } from '../schemas/common.js';
import { ghlPipelinesResponse } from '../schemas/ghl.js';

const tenantParams = z.object({ tenantId: uuidParam });

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function toPipeline(row: GhlPipelineRow) {
  const stages = (row.stages ?? [])
    .filter((stage) => typeof stage['id'] === 'string')
    .map((stage) => ({ id: String(stage['id']), name: text(stage['name']), position: num(stage['position']) }))
    .sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity));
  return { id: row.id, name: row.name, stages, syncedAt: row.syncedAt.toISOString() };
}

/** What the GHL mirror holds, for setting a tenant up (which pipeline estimates go to). */
export function ghlRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/ghl/pipelines',
      operationId: 'listGhlPipelines',
      summary: "The tenant's GHL pipelines and their stages, as last synced",
      description: 'Read from the mirror the GHL sync keeps (module `pipelines`), not from GHL: run a sync first for a newly connected location.',
      tag: 'ghl',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'The pipelines, by name', schema: ghlPipelinesResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const tenant = await requireTenant(db, params.tenantId);
        const rows = tenant.ghl ? await listSyncedGhlPipelines(db, params.tenantId) : [];
        return { status: 200, body: { connected: Boolean(tenant.ghl), pipelines: rows.map(toPipeline) } };
      },
    }),
  ];
}
