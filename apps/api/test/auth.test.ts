import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '@fieldhand/db';
import { QUEUE_NAMES } from '@fieldhand/queues';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let tenantA: string;
let tenantB: string;
let keyA: string;

beforeAll(async () => {
  api = await startTestApi();
  tenantA = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: tenantInput('A') })).body.id;
  tenantB = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: tenantInput('B') })).body.id;
  keyA = (await api.request(`/api/v1/tenants/${tenantA}/api-keys`, { method: 'POST', key: ADMIN_KEY, body: { name: 'A script' } })).body.key;
});
afterAll(() => api.stop());

describe('API key authentication', () => {
  it('answers 401 with WWW-Authenticate and the standard body without a key', async () => {
    const res = await api.request(`/api/v1/tenants/${tenantA}`);
    expectErrorBody(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 401 for a wrong key, in either header', async () => {
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantA}`, { key: 'fh_AAAAAAAAAAAA_' + 'x'.repeat(43) }), 401);
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantA}`, { headers: { authorization: `Bearer ${ADMIN_KEY}x` } }), 401);
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantA}`, { key: keyA.slice(0, -1) + (keyA.endsWith('A') ? 'B' : 'A') }), 401);
  });

  it('lets a tenant key act on its own tenant', async () => {
    const res = await api.request(`/api/v1/tenants/${tenantA}`, { key: keyA });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(tenantA);
  });

  it('accepts the key as a bearer token too', async () => {
    const res = await api.request(`/api/v1/tenants/${tenantA}`, { headers: { authorization: `Bearer ${keyA}` } });
    expect(res.status).toBe(200);
  });

  it('forbids a tenant key on another tenant (403), including its sub-resources', async () => {
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantB}`, { key: keyA }), 403, 'forbidden');
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantB}`, { method: 'PATCH', key: keyA, body: { name: 'pwned' } }), 403);
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantB}/api-keys`, { method: 'POST', key: keyA, body: { name: 'x' } }), 403);
    expect((await api.request(`/api/v1/tenants/${tenantB}`, { key: ADMIN_KEY })).body.name).toBe('B');
  });

  it('forbids a tenant key on admin-only routes', async () => {
    expectErrorBody(await api.request('/api/v1/tenants', { key: keyA }), 403);
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', key: keyA, body: tenantInput() }), 403);
    expectErrorBody(await api.request('/api/v1/dead-letters', { key: keyA }), 403);
  });

  it('lets the admin key act on every tenant', async () => {
    for (const id of [tenantA, tenantB]) expect((await api.request(`/api/v1/tenants/${id}`, { key: ADMIN_KEY })).status).toBe(200);
    expect((await api.request('/api/v1/tenants', { key: ADMIN_KEY })).status).toBe(200);
  });

  it('treats a stored key without a tenant as an admin key', async () => {
    const { key } = await createApiKey(api.db, { tenantId: null, name: 'ops' });
    expect((await api.request(`/api/v1/tenants/${tenantB}`, { key })).status).toBe(200);
    expect((await api.request('/api/v1/dead-letters', { key })).status).toBe(200);
  });

  it('refuses a revoked key at once', async () => {
    const { key, row } = await createApiKey(api.db, { tenantId: tenantA, name: 'short-lived' });
    expect((await api.request(`/api/v1/tenants/${tenantA}`, { key })).status).toBe(200);
    await revokeApiKey(api.db, row.id, tenantA);
    expectErrorBody(await api.request(`/api/v1/tenants/${tenantA}`, { key }), 401);
  });
});

describe('bull-board', () => {
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('asks for Basic credentials without them', async () => {
    const res = await api.request('/admin/queues');
    expectErrorBody(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="fieldhand", charset="UTF-8"');
  });

  it('refuses wrong credentials and tenant keys', async () => {
    expectErrorBody(await api.request('/admin/queues', { headers: basic('admin', 'wrong') }), 401);
    expectErrorBody(await api.request('/admin/queues', { headers: basic('root', ADMIN_KEY) }), 401);
    expectErrorBody(await api.request('/admin/queues', { headers: basic('admin', keyA) }), 401);
    expectErrorBody(await api.request('/admin/queues/api/queues', { key: ADMIN_KEY }), 401);
  });

  it('serves the page and lists every queue, dead-letter included, with the admin key', async () => {
    const page = await api.request('/admin/queues', { headers: basic('admin', ADMIN_KEY) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const res = await api.request('/admin/queues/api/queues', { headers: basic('admin', ADMIN_KEY) });
    expect(res.status).toBe(200);
    const names = (res.body.queues as Array<{ name: string }>).map((q) => q.name);
    expect(names.sort()).toEqual([...QUEUE_NAMES].sort());
  });
});
