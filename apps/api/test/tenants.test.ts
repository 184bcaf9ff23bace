import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTenant } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
const SECRETS = ['st-client-secret-DO-NOT-LEAK', 'st-app-key-DO-NOT-LEAK', 'ghl-token-DO-NOT-LEAK', 'twilio-auth-token-DO-NOT-LEAK'];
const admin = { key: ADMIN_KEY };

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('tenants', () => {
  it('creates a tenant and answers 201 without secrets, but stores them', async () => {
    const input = tenantInput();
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: input });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Acme HVAC',
      timezone: 'America/Chicago',
      servicetitan: { tenantId: '1234567', clientId: 'cid.abc', configured: true },
      ghl: { locationId: input.ghl.locationId, configured: true },
      twilio: { from: input.twilio.from, messagingServiceSid: null, hasOwnAuthToken: true },
    });
    expectNoSecrets(res.text);
    const stored = await findTenant(api.db, res.body.id);
    expect(stored?.servicetitan?.clientSecret).toBe('st-client-secret-DO-NOT-LEAK');
    expect(stored?.twilio?.authToken).toBe('twilio-auth-token-DO-NOT-LEAK');
  });

  it('refuses a ServiceTitan tenant id that is not digits (it goes into URL paths)', async () => {
    const input = tenantInput('Path traversal');
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { ...input, servicetitan: { ...input.servicetitan, tenantId: '123/../../other' } } });
    const error = expectErrorBody(res, 400, 'validation_failed');
    expect(error.details).toEqual([expect.objectContaining({ path: 'servicetitan.tenantId' })]);
  });

  it('refuses a send window outside 08:00–21:00, the federal window, naming it', async () => {
    const input = tenantInput('Night owl');
    for (const sendWindow of [{ start: '00:00', end: '23:59' }, { start: '07:30', end: '20:00' }, { start: '09:00', end: '21:30' }]) {
      const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { ...input, twilio: { ...input.twilio, sendWindow } } });
      const error = expectErrorBody(res, 400, 'validation_failed');
      expect(JSON.stringify(error.details)).toContain('08:00–21:00');
    }
    const ok = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { ...input, twilio: { ...input.twilio, sendWindow: { start: '08:00', end: '21:00' } } } });
    expect(ok.status).toBe(201);
  });

  it('creates a tenant with no vendor blocks', async () => {
    const res = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { name: 'Bare', timezone: 'UTC' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ servicetitan: null, ghl: null, twilio: null });
  });

  it('rejects bad input with 400 and the zod issues, without echoing secrets', async () => {
    const res = await api.request('/api/v1/tenants', {
      method: 'POST',
      ...admin,
      body: { name: '', timezone: 'Mars/Olympus', servicetitan: { tenantId: '1', clientId: 'x', clientSecret: SECRETS[0] }, twilio: {}, extra: 1 },
    });
    const error = expectErrorBody(res, 400, 'validation_failed');
    const paths = (error.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'timezone', 'servicetitan.appKey', 'twilio', '']));
    expectNoSecrets(res.text);
  });

  it('gets a tenant without secrets; 404 for an unknown id', async () => {
    const created = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Get me') });
    const res = await api.request(`/api/v1/tenants/${created.body.id}`, admin);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Get me');
    expectNoSecrets(res.text);
    expectErrorBody(await api.request('/api/v1/tenants/7c9e6679-7425-40de-944b-e07fc1f90ae7', admin), 404, 'tenant_not_found');
  });

  it('patches only the given fields; vendor blocks are replaced or removed, never returned', async () => {
    const created = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Patch me') });
    const id = created.body.id;
    const renamed = await api.request(`/api/v1/tenants/${id}`, { method: 'PATCH', ...admin, body: { name: 'Patched', ghl: null } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Patched', timezone: 'America/Chicago', ghl: null, servicetitan: { configured: true } });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt) - 1);
    const rotated = await api.request(`/api/v1/tenants/${id}`, {
      method: 'PATCH',
      ...admin,
      body: { servicetitan: { tenantId: '99', clientId: 'new', clientSecret: 'rotated-secret-DO-NOT-LEAK', appKey: 'k' } },
    });
    expect(rotated.body.servicetitan).toEqual({ tenantId: '99', clientId: 'new', configured: true });
    expect(rotated.text).not.toContain('rotated-secret-DO-NOT-LEAK');
    expect((await findTenant(api.db, id))?.servicetitan?.clientSecret).toBe('rotated-secret-DO-NOT-LEAK');
    expectErrorBody(await api.request(`/api/v1/tenants/${id}`, { method: 'PATCH', ...admin, body: {} }), 400);
    expectErrorBody(await api.request('/api/v1/tenants/7c9e6679-7425-40de-944b-e07fc1f90ae7', { method: 'PATCH', ...admin, body: { name: 'x' } }), 404);
  });

  it('lists tenants newest first with cursor pagination', async () => {
    for (let i = 0; i < 3; i++) await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { name: `Page ${i}`, timezone: 'UTC' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.request(`/api/v1/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      expectNoSecrets(res.text);
      seen.push(...res.body.data.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await api.request('/api/v1/tenants?limit=200', admin);
    expect(all.body.nextCursor).toBeNull();
    expect(seen).toEqual(all.body.data.map((t: { id: string }) => t.id));
    expect(all.body.data[0].name).toBe('Page 2');
  });

  it('bounds the page size and refuses a forged cursor', async () => {
    expectErrorBody(await api.request('/api/v1/tenants?limit=201', admin), 400);
    expectErrorBody(await api.request('/api/v1/tenants?limit=0', admin), 400);
    expectErrorBody(await api.request('/api/v1/tenants?cursor=not-a-cursor', admin), 400);
    const forged = Buffer.from(JSON.stringify([new Date().toISOString(), 'not-a-uuid'])).toString('base64url');
    expectErrorBody(await api.request(`/api/v1/tenants?cursor=${forged}`, admin), 400);
  });
});

describe('api keys', () => {
  it('creates a key shown once, which then authenticates as that tenant', async () => {
    const tenant = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Keys') })).body.id;
    const res = await api.request(`/api/v1/tenants/${tenant}/api-keys`, { method: 'POST', ...admin, body: { name: 'zapier', scopes: ['read', 'write', 'keys:manage'] } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'key', 'name', 'prefix', 'scopes']);
    expect(res.body.key).toMatch(new RegExp(`^fh_${res.body.prefix}_`));
    expect((await api.request(`/api/v1/tenants/${tenant}`, { key: res.body.key })).status).toBe(200);
    // With keys:manage, the tenant may mint its own further keys, and revoke them.
    const own = await api.request(`/api/v1/tenants/${tenant}/api-keys`, { method: 'POST', key: res.body.key, body: { name: 'second' } });
    expect(own.status).toBe(201);
    const del = await api.request(`/api/v1/tenants/${tenant}/api-keys/${own.body.id}`, { method: 'DELETE', key: res.body.key });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expectErrorBody(await api.request(`/api/v1/tenants/${tenant}`, { key: own.body.key }), 401);
  });

  it('answers 404 for an unknown key, a key of another tenant, an already revoked key, or an unknown tenant', async () => {
    const t1 = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { name: 'K1', timezone: 'UTC' } })).body.id;
    const t2 = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { name: 'K2', timezone: 'UTC' } })).body.id;
    const k1 = (await api.request(`/api/v1/tenants/${t1}/api-keys`, { method: 'POST', ...admin, body: { name: 'k1' } })).body;
    expectErrorBody(await api.request(`/api/v1/tenants/${t2}/api-keys/${k1.id}`, { method: 'DELETE', ...admin }), 404, 'api_key_not_found');
    expectErrorBody(await api.request(`/api/v1/tenants/${t1}/api-keys/7c9e6679-7425-40de-944b-e07fc1f90ae7`, { method: 'DELETE', ...admin }), 404);
    expect((await api.request(`/api/v1/tenants/${t1}/api-keys/${k1.id}`, { method: 'DELETE', ...admin })).status).toBe(204);
    expectErrorBody(await api.request(`/api/v1/tenants/${t1}/api-keys/${k1.id}`, { method: 'DELETE', ...admin }), 404);
    expectErrorBody(
      await api.request('/api/v1/tenants/7c9e6679-7425-40de-944b-e07fc1f90ae7/api-keys', { method: 'POST', ...admin, body: { name: 'x' } }),
      404,
      'tenant_not_found',
    );
    expectErrorBody(await api.request(`/api/v1/tenants/${t1}/api-keys`, { method: 'POST', ...admin, body: {} }), 400);
  });
});
