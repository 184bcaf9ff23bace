import { z } from 'zod';
import type { Database } from '@fieldhand/db';
import type { FieldhandCatalog, JobBus } from '@fieldhand/queues';
import { syncStatus } from '@fieldhand/sync';
import { ConflictError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { uuidParam } from '../schemas/common.js';
import { startSyncBody, startSyncResponse, syncStatusQuery, syncStatusResponse } from '../schemas/sync.js';
import { SYNC_SOURCES } from '../sync-sources.js';

const tenantParams = z.object({ tenantId: uuidParam });

export function syncRoutes(db: Database, bus: JobBus<FieldhandCatalog>): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/sync',
      operationId: 'startSync',
      summary: 'Start a sync pass',
      description: 'Enqueues a pass of the given modules of a source; a module already syncing keeps its running pass. Progress: GET the same path.',
      tag: 'sync',
      access: 'tenant',
      params: tenantParams,
      body: startSyncBody,
      responses: { 202: { description: 'Enqueued', schema: startSyncResponse } },
      errors: [404, 409],
      handler: async ({ params, body }) => {
        const tenant = await requireTenant(db, params.tenantId);
        const source = SYNC_SOURCES.get(body.source)!;
        if (!source.configured(tenant)) throw new ConflictError(`${source.name}_not_configured`, `This tenant has no ${source.name} credentials; PATCH the tenant first`);
        const jobId = await bus.enqueue('sync.start', { tenantId: tenant.id, source: source.name, full: body.full, ...(body.modules ? { modules: body.modules } : {}) });
        return { status: 202, body: { jobId, source: source.name, modules: body.modules ?? source.modules.map((m) => m.name), full: body.full } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/sync',
      operationId: 'getSyncStatus',
      summary: 'Sync status per module',
      description: 'For every module of every configured source (or of `source`, configured or not): running or idle, records mirrored, cursor age, last success and last error. `sources` says which sources the tenant has configured.',
      tag: 'sync',
      access: 'tenant',
      params: tenantParams,
      query: syncStatusQuery,
      responses: { 200: { description: 'Per-module status', schema: syncStatusResponse } },
      errors: [404],
      handler: async ({ params, query }) => {
        const tenant = await requireTenant(db, params.tenantId);
        const sources = SYNC_SOURCES.list.filter((s) => !query.source || s.name === query.source);
        const modules = [];
        // Unasked, only configured sources list their modules: a tenant without GHL is not shown three GHL modules that never sync.
        for (const source of sources) if (query.source || source.configured(tenant)) modules.push(...(await syncStatus(db, source, tenant.id)));
        return { status: 200, body: { sources: sources.map((s) => ({ source: s.name, configured: s.configured(tenant) })), modules } };
      },
    }),
  ];
}
