import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow, type Database } from '@fieldhand/db';
import { NotFoundError } from '../errors/http-error.js';
import { audit } from '../http/audit.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { requireTenant } from '../http/require-tenant.js';
import { apiKeyResponse, createApiKeyBody, createdApiKeyResponse } from '../schemas/api-key.js';
import { pageOf, pageQuery, uuidParam } from '../schemas/common.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const keyNotFound = () => new NotFoundError('api_key_not_found', 'No active key with this id for this tenant');

function toApiKeyResponse(row: Omit<ApiKeyRow, 'hash'>) {
  return { id: row.id, tenantId: row.tenantId, name: row.name, prefix: row.prefix, scopes: row.scopes, createdAt: row.createdAt.toISOString(), lastUsedAt: iso(row.lastUsedAt), revokedAt: iso(row.revokedAt) };
}

export function apiKeyRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key for a tenant',
      description: 'The whole key is in this response only; Fieldhand stores a hash of it. Needs the admin key or a key with `keys:manage`.',
      tag: 'api keys',
      access: 'tenant',
      scope: 'keys:manage',
      params: z.object({ tenantId: uuidParam }),
      body: createApiKeyBody,
      responses: { 201: { description: 'The new key', schema: createdApiKeyResponse } },
      errors: [403, 404],
      handler: async ({ params, body, res }) => {
        await requireTenant(db, params.tenantId);
        const { key, row } = await createApiKey(db, { tenantId: params.tenantId, name: body.name, ...(body.scopes ? { scopes: body.scopes } : {}) });
        await audit(db, res, 'api_key.created', { tenantId: params.tenantId, target: { keyId: row.id, prefix: row.prefix, name: row.name, scopes: row.scopes } });
        return { status: 201, body: { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, key, createdAt: row.createdAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tenants/:tenantId/api-keys',
      operationId: 'listApiKeys',
      summary: "A tenant's API keys, newest first",
      description: 'Prefix, name, scopes, when created, last used and revoked: never the secret.',
      tag: 'api keys',
      access: 'tenant',
      params: z.object({ tenantId: uuidParam }),
      query: pageQuery,
      responses: { 200: { description: 'A page of keys', schema: pageOf(apiKeyResponse, 'ApiKeyPage') } },
      handler: async ({ params, query }) => {
        const page = await listApiKeys(db, { tenantId: params.tenantId, ...query });
        return { status: 200, body: { data: page.data.map(toApiKeyResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tenants/:tenantId/api-keys/:keyId',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'The key stops working at once, on every instance. Needs the admin key or a key with `keys:manage`.',
      tag: 'api keys',
      access: 'tenant',
      scope: 'keys:manage',
      params: z.object({ tenantId: uuidParam, keyId: uuidParam }),
      responses: { 204: { description: 'Revoked' } },
      errors: [403, 404],
      handler: async ({ params, res }) => {
        if (!(await revokeApiKey(db, params.keyId, params.tenantId))) throw keyNotFound();
        await audit(db, res, 'api_key.revoked', { tenantId: params.tenantId, target: { keyId: params.keyId } });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api-keys',
      operationId: 'listAllApiKeys',
      summary: 'Every stored API key (admin)',
      description: '`tenantId` narrows to one tenant; `admin=true` to the stored admin keys.',
      tag: 'api keys',
      access: 'admin',
      query: pageQuery.extend({ tenantId: uuidParam.optional(), admin: z.enum(['true', 'false']).optional() }),
      responses: { 200: { description: 'A page of keys', schema: pageOf(apiKeyResponse, 'AllApiKeyPage') } },
      handler: async ({ query }) => {
        const owner = query.admin === 'true' ? null : query.tenantId;
        const page = await listApiKeys(db, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}), ...(owner !== undefined ? { tenantId: owner } : {}) });
        return { status: 200, body: { data: page.data.map(toApiKeyResponse), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api-keys/:keyId',
      operationId: 'revokeAnyApiKey',
      summary: 'Revoke any stored key, admin keys included (admin)',
      tag: 'api keys',
      access: 'admin',
      params: z.object({ keyId: uuidParam }),
      responses: { 204: { description: 'Revoked' } },
      errors: [404],
      handler: async ({ params, res }) => {
        if (!(await revokeApiKey(db, params.keyId))) throw new NotFoundError('api_key_not_found', 'No active key with this id');
        await audit(db, res, 'api_key.revoked', { tenantId: null, target: { keyId: params.keyId } });
        return { status: 204 };
      },
    }),
  ];
}
