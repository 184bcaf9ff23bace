import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ghlPipelines } from '@fieldhand/db';
import { ADMIN_KEY, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let connected: string;
let bare: string;
let otherKey: string;

beforeAll(async () => {
  api = await startTestApi();
  connected = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: tenantInput('GHL HVAC') })).body.id;
  bare = (await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: { name: 'No GHL', timezone: 'America/Chicago' } })).body.id;
  otherKey = (await api.request(`/api/v1/tenants/${bare}/api-keys`, { method: 'POST', key: ADMIN_KEY, body: { name: 'read', scopes: ['read'] } })).body.key;
  // What the GHL sync's pipelines module writes.
  const at = new Date('2031-01-02T03:04:05.000Z');
  const row = (id: string, name: string, stages: Array<Record<string, unknown>>, active = true) => ({ tenantId: connected, id, name, stages, active, modifiedOn: at, syncedAt: at, raw: { id, name, stages } });
  await api.db.insert(ghlPipelines).values([
    row('p-service', 'Service', [{ id: 's-2', name: 'Booked', position: 1 }, { id: 's-1', name: 'New', position: 0 }]),
    row('p-estimates', 'Estimates', [{ id: 'e-1', name: 'Estimate Sent', position: 0, showInFunnel: true }]),
    row('p-gone', 'Deleted in GHL', [], false),
  ]);
}, 60_000);
afterAll(() => api.stop());

describe('GET /tenants/:tenantId/ghl/pipelines', () => {
  it('lists the synced pipelines by name, stages in GHL order, without ones GHL no longer has', async () => {
    const res = await api.request(`/api/v1/tenants/${connected}/ghl/pipelines`, { key: ADMIN_KEY });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      connected: true,
      pipelines: [
        { id: 'p-estimates', name: 'Estimates', stages: [{ id: 'e-1', name: 'Estimate Sent', position: 0 }], syncedAt: '2031-01-02T03:04:05.000Z' },
        { id: 'p-service', name: 'Service', stages: [{ id: 's-1', name: 'New', position: 0 }, { id: 's-2', name: 'Booked', position: 1 }], syncedAt: '2031-01-02T03:04:05.000Z' },
      ],
    });
  });

  it('says so for a tenant without a GHL location, and 404s an unknown tenant', async () => {
    expect((await api.request(`/api/v1/tenants/${bare}/ghl/pipelines`, { key: ADMIN_KEY })).body).toEqual({ connected: false, pipelines: [] });
    expect((await api.request('/api/v1/tenants/00000000-0000-4000-8000-000000000000/ghl/pipelines', { key: ADMIN_KEY })).status).toBe(404);
  });

  it("refuses another tenant's key", async () => {
    const res = await api.request(`/api/v1/tenants/${connected}/ghl/pipelines`, { key: otherKey });
    expect([403, 404]).toContain(res.status);
    expect(JSON.stringify(res.body)).not.toContain('p-estimates');
  });
});
