// Keys: scopes that mean something, a list that never shows a secret, and
// revocation of any key (admin keys included) by the admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let tenant: string;
const admin = { key: ADMIN_KEY };

beforeAll(async () => {
  api = await startTestApi();
  tenant = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Keys HVAC') })).body.id;
});
afterAll(() => api.stop());

const mint = (key: string, body: unknown) => api.request(`/api/v1/tenants/${tenant}/api-keys`, { method: 'POST', key, body });

describe('API key scopes', () => {
  it('a key minted without scopes reads and writes, and cannot mint keys', async () => {
    const plain = await mint(ADMIN_KEY, { name: 'plain' });
    expect(plain.status).toBe(201);
    expect(plain.body.scopes).toEqual(['read', 'write']);
    expect((await api.request(`/api/v1/tenants/${tenant}`, { key: plain.body.key })).status).toBe(200);
    expect((await api.request(`/api/v1/tenants/${tenant}`, { method: 'PATCH', key: plain.body.key, body: { name: 'Keys HVAC 2' } })).status).toBe(200);
    // Before: any tenant key minted unlimited keys.
    expectErrorBody(await mint(plain.body.key, { name: 'more' }), 403, 'forbidden');
    const own = await api.request(`/api/v1/tenants/${tenant}/api-keys`, { key: plain.body.key });
    expectErrorBody(await api.request(`/api/v1/tenants/${tenant}/api-keys/${own.body.data[0].id}`, { method: 'DELETE', key: plain.body.key }), 403);
  });

  it('a read key reads only; a keys:manage key mints and revokes', async () => {
    const reader = (await mint(ADMIN_KEY, { name: 'reader', scopes: ['read'] })).body.key;
    expect((await api.request(`/api/v1/tenants/${tenant}`, { key: reader })).status).toBe(200);
    expectErrorBody(await api.request(`/api/v1/tenants/${tenant}`, { method: 'PATCH', key: reader, body: { name: 'nope' } }), 403);
    const manager = (await mint(ADMIN_KEY, { name: 'manager', scopes: ['read', 'keys:manage'] })).body.key;
    const minted = await mint(manager, { name: 'from the manager', scopes: ['read'] });
    expect(minted.status).toBe(201);
    expect((await api.request(`/api/v1/tenants/${tenant}/api-keys/${minted.body.id}`, { method: 'DELETE', key: manager })).status).toBe(204);
    expectErrorBody(await api.request(`/api/v1/tenants/${tenant}`, { key: minted.body.key }), 401);
    expectErrorBody(await mint(ADMIN_KEY, { name: 'bad', scopes: ['root'] }), 400, 'validation_failed');
  });

  it('lists keys with prefix, name, scopes, created and last used, never the secret', async () => {
    const created = await mint(ADMIN_KEY, { name: 'listed' });
    await api.request(`/api/v1/tenants/${tenant}`, { key: created.body.key });
    const list = await api.request(`/api/v1/tenants/${tenant}/api-keys`, admin);
    expect(list.status).toBe(200);
    const row = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(row).toMatchObject({ name: 'listed', prefix: created.body.prefix, scopes: ['read', 'write'], tenantId: tenant, revokedAt: null });
    await expect.poll(async () => (await api.request(`/api/v1/tenants/${tenant}/api-keys`, admin)).body.data.find((k: { id: string }) => k.id === created.body.id).lastUsedAt).not.toBeNull();
    // The secret may itself contain '_' (base64url): it is everything after fh_<prefix>_.
    const secret = created.body.key.slice(`fh_${created.body.prefix}_`.length);
    expect(secret).toHaveLength(43);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain('"hash"');
  });

  it('the admin revokes any stored key, admin keys included', async () => {
    const { key: storedAdmin, row } = await createApiKey(api.db, { tenantId: null, name: 'ops laptop' });
    expect((await api.request('/api/v1/dead-letters', { key: storedAdmin })).status).toBe(200);
    const admins = await api.request('/api/v1/api-keys?admin=true', admin);
    expect(admins.body.data.map((k: { id: string }) => k.id)).toContain(row.id);
    expect((await api.request(`/api/v1/api-keys/${row.id}`, { method: 'DELETE', ...admin })).status).toBe(204);
    expectErrorBody(await api.request('/api/v1/dead-letters', { key: storedAdmin }), 401);
    const tenantKey = await mint(ADMIN_KEY, { name: 'to revoke' });
    expect((await api.request(`/api/v1/api-keys/${tenantKey.body.id}`, { method: 'DELETE', ...admin })).status).toBe(204);
    expectErrorBody(await api.request(`/api/v1/api-keys/${tenantKey.body.id}`, { method: 'DELETE', ...admin }), 404, 'api_key_not_found');
    const tenantOnly = (await mint(ADMIN_KEY, { name: 'not admin', scopes: ['read', 'write', 'keys:manage'] })).body.key;
    expectErrorBody(await api.request('/api/v1/api-keys', { key: tenantOnly }), 403);
  });
});
