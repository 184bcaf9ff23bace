import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GHL_MODULES } from '@fieldhand/ghl';
import { ST_MODULES } from '@fieldhand/servicetitan';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
const admin = { key: ADMIN_KEY };
let withServiceTitan: string;
let bare: string;

beforeAll(async () => {
  api = await startTestApi();
  withServiceTitan = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Synced') })).body.id;
  bare = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { name: 'Bare', timezone: 'UTC' } })).body.id;
});
afterAll(() => api.stop());

describe('POST /tenants/:tenantId/sync', () => {
  it('enqueues a sync.start job for the tenant and answers 202', async () => {
    const res = await api.request(`/api/v1/tenants/${withServiceTitan}/sync`, { method: 'POST', ...admin, body: { source: 'servicetitan', modules: ['estimates', 'appointments'], full: true } });
    expect(res.status).toBe(202);
    const job = await api.bus.queue('sync').getJob(res.body.jobId);
    expect(job?.name).toBe('sync.start');
    expect(job?.data).toMatchObject({ tenantId: withServiceTitan, source: 'servicetitan', modules: ['estimates', 'appointments'], full: true });
  });

  it('rejects an unknown source or module with 400 and a tenant without ServiceTitan with 409', async () => {
    expectErrorBody(await api.request(`/api/v1/tenants/${withServiceTitan}/sync`, { method: 'POST', ...admin, body: { source: 'servicetitan', modules: ['estimatez'] } }), 400);
    expectErrorBody(await api.request(`/api/v1/tenants/${withServiceTitan}/sync`, { method: 'POST', ...admin, body: { source: 'nosuch' } }), 400);
    expectErrorBody(await api.request(`/api/v1/tenants/${withServiceTitan}/sync`, { method: 'POST', ...admin, body: {} }), 400);
    expectErrorBody(await api.request(`/api/v1/tenants/${bare}/sync`, { method: 'POST', ...admin, body: { source: 'servicetitan' } }), 409, 'servicetitan_not_configured');
    expectErrorBody(await api.request(`/api/v1/tenants/${bare}/sync`, { method: 'POST', ...admin, body: { source: 'ghl', modules: ['contacts'] } }), 409, 'ghl_not_configured');
    expectErrorBody(await api.request(`/api/v1/tenants/${bare}/sync`, { method: 'POST', ...admin, body: { source: 'ghl', modules: ['customers'] } }), 400);
  });

  it("refuses another tenant's key", async () => {
    const key = (await api.request(`/api/v1/tenants/${bare}/api-keys`, { method: 'POST', ...admin, body: { name: 'bare' } })).body.key;
    expectErrorBody(await api.request(`/api/v1/tenants/${withServiceTitan}/sync`, { key }), 403);
  });
});

describe('GET /tenants/:tenantId/sync', () => {
  it('lists every module with its state and record count', async () => {
    const res = await api.request(`/api/v1/tenants/${withServiceTitan}/sync`, admin);
    expect(res.status).toBe(200);
    expect(res.body.modules).toHaveLength(ST_MODULES.length + GHL_MODULES.length);
    expect(res.body.modules[0]).toMatchObject({ source: 'servicetitan', state: 'never_synced', records: 0, lastSuccessAt: null });
    expect(res.body.sources).toEqual([
      { source: 'servicetitan', configured: true },
      { source: 'ghl', configured: true },
    ]);
    const ghl = await api.request(`/api/v1/tenants/${withServiceTitan}/sync?source=ghl`, admin);
    expect(ghl.body.modules.map((m: { module: string }) => m.module)).toEqual(['pipelines', 'contacts', 'opportunities']);
    const bareStatus = await api.request(`/api/v1/tenants/${bare}/sync?source=servicetitan`, admin);
    expect(bareStatus.body.sources).toEqual([{ source: 'servicetitan', configured: false }]);
    expect(bareStatus.body.modules).toHaveLength(ST_MODULES.length);
    // Unasked, a tenant lists only the modules of the sources it has configured.
    const bareAll = await api.request(`/api/v1/tenants/${bare}/sync`, admin);
    expect(bareAll.body.sources).toEqual([
      { source: 'servicetitan', configured: false },
      { source: 'ghl', configured: false },
    ]);
    expect(bareAll.body.modules).toEqual([]);
  });

  it('answers 400 for an unknown source', async () => {
    expectErrorBody(await api.request(`/api/v1/tenants/${withServiceTitan}/sync?source=nosuch`, admin), 400);
  });

  it('answers 404 for an unknown tenant', async () => {
    expectErrorBody(await api.request('/api/v1/tenants/00000000-0000-4000-8000-000000000000/sync', admin), 404, 'tenant_not_found');
  });
});
