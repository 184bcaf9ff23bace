import { z } from 'zod';
import { createTenant, listTenants, toPublicTenant, updateTenant, type Database } from '@fieldhand/db';
import { ForbiddenError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant, tenantNotFound } from '../http/require-tenant.js';
import { pageOf, pageQuery, uuidParam } from '../schemas/common.js';
import { createTenantBody, tenantResponse, updateTenantBody } from '../schemas/tenant.js';

const tenantParams = z.object({ tenantId: uuidParam });

type Sender = { from?: string | undefined; messagingServiceSid?: string | undefined } | null | undefined;

/** True when a change keeps the tenant's Twilio sender as it is. */
function sameSender(current: Sender, next: Sender): boolean {
  return (current?.from ?? null) === (next?.from ?? null) && (current?.messagingServiceSid ?? null) === (next?.messagingServiceSid ?? null);
}

export function tenantRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tenants',
      operationId: 'createTenant',
      summary: 'Create a tenant (a contractor)',
      description: 'Vendor credentials are write-only: the response says which vendors are configured, never their secrets.',
      tag: 'tenants',
      access: 'admin',
      body: createTenantBody,
      responses: { 201: { description: 'The tenant', schema: tenantResponse } },
      errors: [409],
      handler: async ({ body }) => ({ status: 201, body: toPublicTenant(await createTenant(db, body)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/tenants',
      operationId: 'listTenants',
      summary: 'List tenants, newest first',
      tag: 'tenants',
      access: 'admin',
      query: pageQuery,
      responses: { 200: { description: 'A page of tenants', schema: pageOf(tenantResponse, 'TenantPage') } },
      handler: async ({ query }) => {
        const page = await listTenants(db, query);
        return { status: 200, body: { data: page.data.map(toPublicTenant), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId',
      operationId: 'getTenant',
      summary: 'Get a tenant',
      tag: 'tenants',
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'The tenant', schema: tenantResponse } },
      errors: [404],
      handler: async ({ params }) => {
        const row = await requireTenant(db, params.tenantId);
        return { status: 200, body: toPublicTenant(row) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/tenants/:tenantId',
      operationId: 'updateTenant',
      summary: 'Change a tenant',
      description:
        'Only the fields given change. A vendor block replaces the stored one whole; `null` removes it. ' +
        'A Twilio sender (`twilio.from`, `twilio.messagingServiceSid`) belongs to one tenant (409 `sender_taken` on a clash) and only the admin may set, change or remove it.',
      tag: 'tenants',
      access: 'tenant',
      params: tenantParams,
      body: updateTenantBody,
      responses: { 200: { description: 'The tenant after the change', schema: tenantResponse } },
      errors: [403, 404, 409],
      handler: async ({ params, body, principal }) => {
        if (principal?.kind !== 'admin' && body.twilio !== undefined) {
          const current = await requireTenant(db, params.tenantId);
          if (!sameSender(current.twilio, body.twilio)) throw new ForbiddenError('Only the admin may set, change or remove a Twilio sender');
        }
        const row = await updateTenant(db, params.tenantId, body);
        if (!row) throw tenantNotFound();
        return { status: 200, body: toPublicTenant(row) };
      },
    }),
  ];
}
