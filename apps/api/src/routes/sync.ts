import { z } from 'zod';
import { findTenant, type Database } from '@fieldhand/db';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { ST_MODULE_NAMES, syncStatus } from '@fieldhand/servicetitan';
import { ConflictError, NotFoundError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { uuidParam } from '../schemas/common.js';
import { startSyncBody, startSyncResponse, syncStatusResponse } from '../schemas/sync.js';

const tenantParams = z.object({ tenantId: uuidParam });

export function syncRoutes(db: Database, bus: JobBus<FieldhandCatalog>): AnyRoute[] {
  const requireTenant = async (tenantId: string) => {
    const tenant = await findTenant(db, tenantId);
    if (!tenant) throw new NotFoundError('tenant_not_found', 'No tenant with this id');
    return tenant;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/sync',
      operationId: 'startSync',
      summary: 'Start a sync pass',
      description: 'Enqueues a pass of the given modules; a module already syncing keeps its running pass. Progress: GET the same path.',
      tag: 'sync',
      access: 'tenant',
      params: tenantParams,
      body: startSyncBody,
      responses: { 202: { description: 'Enqueued', schema: startSyncResponse } },
      errors: [404, 409],
      handler: async ({ params, body }) => {
        const tenant = await requireTenant(params.tenantId);
        if (!tenant.servicetitan) throw new ConflictError('servicetitan_not_configured', 'This tenant has no ServiceTitan credentials; PATCH the tenant first');
        const jobId = await bus.enqueue('sync.start', { tenantId: tenant.id, source: 'servicetitan', full: body.full, ...(body.modules ? { modules: body.modules } : {}) });
        return { status: 202, body: { jobId, source: 'servicetitan', modules: body.modules ?? [...ST_MODULE_NAMES], full: body.full } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/sync',
      operationId: 'getSyncStatus',
      summary: 'Sync status per module',
      description: 'Running or idle, records mirrored, cursor age, last success and last error for every ServiceTitan module.',
      tag: 'sync',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'Per-module status', schema: syncStatusResponse } },
      errors: [404],
      handler: async ({ params }) => {
        await requireTenant(params.tenantId);
        return { status: 200, body: { source: 'servicetitan', modules: await syncStatus(db, params.tenantId) } };
      },
    }),
  ];
}
