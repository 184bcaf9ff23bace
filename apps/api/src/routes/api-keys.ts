import { z } from 'zod';
import { createApiKey, findTenant, revokeApiKey, type Database } from '@fieldhand/db';
import { NotFoundError } from '../errors/http-error.js';
import { defineRoute, type AnyRoute } from '../http/define-route.js';
import { createApiKeyBody, createdApiKeyResponse } from '../schemas/api-key.js';
import { uuidParam } from '../schemas/common.js';

export function apiKeyRoutes(db: Database): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tenants/:tenantId/api-keys',
      operationId: 'createApiKey',
      summary: "Create an API key for a tenant",
      description: 'The whole key is in this response only; Fieldhand stores a hash of it.',
      tag: 'api keys',
      access: 'tenant',
      params: z.object({ tenantId: uuidParam }),
      body: createApiKeyBody,
      responses: { 201: { description: 'The new key', schema: createdApiKeyResponse } },
      errors: [404],
      handler: async ({ params, body }) => {
        if (!(await findTenant(db, params.tenantId))) throw new NotFoundError('tenant_not_found', 'No tenant with this id');
        const { key, row } = await createApiKey(db, { tenantId: params.tenantId, name: body.name });
        return { status: 201, body: { id: row.id, name: row.name, prefix: row.prefix, key, createdAt: row.createdAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tenants/:tenantId/api-keys/:keyId',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'The key stops working at once, on every instance.',
      tag: 'api keys',
      access: 'tenant',
      params: z.object({ tenantId: uuidParam, keyId: uuidParam }),
      responses: { 204: { description: 'Revoked' } },
      errors: [404],
      handler: async ({ params }) => {
        if (!(await revokeApiKey(db, params.tenantId, params.keyId))) {
          throw new NotFoundError('api_key_not_found', 'No active key with this id for this tenant');
        }
        return { status: 204 };
      },
    }),
  ];
}
