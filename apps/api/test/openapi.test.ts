import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fieldhand/observability';
import { createApp } from '../src/app.js';
import { ADMIN_KEY, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

type Layer = { rawPath?: string; route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every method + path Express will actually route, found by walking the live router stack. */
function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        // bull-board is its own app with its own UI routes; it is not part of the REST API.
        if (mount === '/admin/queues') continue;
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

describe('OpenAPI', () => {
  it('documents every route registered in the router', async () => {
    const app = createApp({ config: api.config, db: api.db, bus: api.bus, redis: api.redis.connect('producer'), logger: createLogger({ name: 't', level: 'silent' }) });
    const routes = registeredRoutes(app);
    expect(routes).toEqual(expect.arrayContaining(['post /api/v1/tenants', 'delete /api/v1/tenants/:tenantId/api-keys/:keyId', 'get /healthz']));
    const doc = (await api.request('/api/v1/openapi.json')).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    expect(documented.sort()).toEqual(routes.sort());
  });

  it('is generated from the validating schemas: bodies, params, queries, errors and security', async () => {
    const res = await api.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyHeader', 'bearerAuth']);
    const create = doc.paths['/api/v1/tenants'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateTenant');
    expect(doc.components.schemas.CreateTenant.required).toEqual(expect.arrayContaining(['name', 'timezone']));
    expect(create.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/Tenant');
    expect(create.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBody');
    expect(create.responses).toHaveProperty('415');
    expect(create.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    const list = doc.paths['/api/v1/dead-letters'].get;
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit', 'queue', 'tenantId']);
    expect(doc.paths['/api/v1/tenants/{tenantId}'].get.parameters[0]).toMatchObject({ in: 'path', name: 'tenantId', required: true });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    // Secrets are documented as write-only and the public Tenant has none of them.
    expect(JSON.stringify(doc.components.schemas.Tenant)).not.toMatch(/clientSecret|authToken|"token"|appKey/);
  });

  it('serves a self-contained docs page listing the operations', async () => {
    const res = await api.request('/api/v1/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('/api/v1/tenants/{tenantId}/api-keys');
    expect(res.text).toContain('Replay a dead letter');
    expect(res.text).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
    // Public: no key needed.
    expect((await api.request('/api/v1/docs', { key: ADMIN_KEY })).status).toBe(200);
  });
});
