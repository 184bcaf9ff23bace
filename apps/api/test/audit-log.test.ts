import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDeadLetter } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
const admin = { key: ADMIN_KEY };
let tenantId = '';
let manager = { key: '', prefix: '' };

type Entry = { tenantId: string | null; actor: string; action: string; target: Record<string, unknown>; correlationId: string | null; createdAt: string };

const as = (key: string, correlationId: string) => ({ key, headers: { 'x-correlation-id': correlationId } });

async function auditOf(query = ''): Promise<Entry[]> {
  const res = await api.request(`/api/v1/audit${query}`, admin);
  expect(res.status, res.text).toBe(200);
  return res.body.data as Entry[];
}

beforeAll(async () => {
  api = await startTestApi();
  const created = await api.request('/api/v1/tenants', { method: 'POST', ...as(ADMIN_KEY, 'audit-create-tenant'), body: tenantInput('Audit HVAC') });
  tenantId = created.body.id;
  const key = await api.request(`/api/v1/tenants/${tenantId}/api-keys`, { method: 'POST', ...as(ADMIN_KEY, 'audit-mint-manager'), body: { name: 'office manager', scopes: ['read', 'write', 'keys:manage'] } });
  manager = { key: key.body.key, prefix: key.body.prefix };
}, 60_000);
afterAll(() => api.stop());

describe('audit log', () => {
  it('records each operator action with the key prefix, the tenant and the correlation id', async () => {
    const t = `/api/v1/tenants/${tenantId}`;
    expect((await api.request(t, { method: 'PATCH', ...as(manager.key, 'audit-rename'), body: { name: 'Audit HVAC & Plumbing' } })).status).toBe(200);
    const minted = await api.request(`${t}/api-keys`, { method: 'POST', ...as(manager.key, 'audit-mint'), body: { name: 'reports' } });
    expect(minted.status).toBe(201);
    expect((await api.request(`${t}/api-keys/${minted.body.id}`, { method: 'DELETE', ...as(manager.key, 'audit-revoke') })).status).toBe(204);
    expect((await api.request(`${t}/workflows/estimate-follow-up/enable`, { method: 'POST', ...as(manager.key, 'audit-enable') })).status).toBe(200);
    expect((await api.request(`${t}/consent/${encodeURIComponent('+15127031234')}`, { method: 'PUT', ...as(manager.key, 'audit-consent'), body: { optedOut: true, keyword: 'called the office' } })).status).toBe(200);
    const dead = (await recordDeadLetter(api.db, { queue: 'maintenance', jobName: 'maintenance.probe', jobId: 'audit-dl-1', data: {}, attempts: 3, error: 'boom', tenantId, correlationId: null }))!;
    const other = (await recordDeadLetter(api.db, { queue: 'maintenance', jobName: 'maintenance.probe', jobId: 'audit-dl-2', data: {}, attempts: 3, error: 'boom', tenantId, correlationId: null }))!;
    expect((await api.request(`/api/v1/dead-letters/${dead.id}/replay`, { method: 'POST', ...as(ADMIN_KEY, 'audit-replay') })).status).toBe(202);
    expect((await api.request(`/api/v1/dead-letters/${other.id}`, { method: 'DELETE', ...as(ADMIN_KEY, 'audit-discard') })).status).toBe(204);
    // A refused request changes nothing and records nothing.
    expect((await api.request(`/api/v1/dead-letters/${other.id}`, { method: 'DELETE', ...as(ADMIN_KEY, 'audit-discard-again') })).status).toBe(404);

    const entries = (await auditOf(`?tenantId=${tenantId}`)).reverse();
    expect(entries.map((e) => [e.action, e.actor, e.correlationId])).toEqual([
      ['tenant.created', 'admin', 'audit-create-tenant'],
      ['api_key.created', 'admin', 'audit-mint-manager'],
      ['tenant.updated', manager.prefix, 'audit-rename'],
      ['api_key.created', manager.prefix, 'audit-mint'],
      ['api_key.revoked', manager.prefix, 'audit-revoke'],
      ['workflow.enabled', manager.prefix, 'audit-enable'],
      ['consent.set', manager.prefix, 'audit-consent'],
      ['dead_letter.replayed', 'admin', 'audit-replay'],
      ['dead_letter.discarded', 'admin', 'audit-discard'],
    ]);
    expect(entries.every((e) => e.tenantId === tenantId && !Number.isNaN(Date.parse(e.createdAt)))).toBe(true);
    expect(entries[2]!.target).toEqual({ fields: ['name'] });
    expect(entries[3]!.target).toMatchObject({ keyId: minted.body.id, prefix: minted.body.prefix, name: 'reports' });
    expect(entries[5]!.target).toEqual({ key: 'estimate-follow-up' });
    expect(entries[6]!.target).toEqual({ phone: '+15127031234', optedOut: true, keyword: 'called the office' });
    expect(entries[7]!.target).toMatchObject({ deadLetterId: dead.id, queue: 'maintenance' });
    // No secret and no whole key ever reaches the log.
    const everything = JSON.stringify(await auditOf('?limit=200'));
    expect(everything).not.toContain(manager.key);
    expect(everything).not.toContain('DO-NOT-LEAK');
  });

  it('pages newest first with the cursor of the other lists, and narrows to one tenant', async () => {
    const second = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Other HVAC') });
    const all = await auditOf('?limit=200');
    expect(all[0]).toMatchObject({ action: 'tenant.created', tenantId: second.body.id });
    const seen: Entry[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.request(`/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, admin);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...(res.body.data as Entry[]));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect((await auditOf(`?tenantId=${second.body.id}`)).map((e) => e.action)).toEqual(['tenant.created']);
  });

  it('answers only the admin: a tenant key gets 403, bad input 400, no key 401', async () => {
    expectErrorBody(await api.request('/api/v1/audit', { key: manager.key }), 403);
    expectErrorBody(await api.request(`/api/v1/audit?tenantId=${tenantId}`, { key: manager.key }), 403);
    expectErrorBody(await api.request('/api/v1/audit'), 401);
    expectErrorBody(await api.request('/api/v1/audit?tenantId=nope', admin), 400, 'validation_failed');
    expectErrorBody(await api.request('/api/v1/audit?cursor=bogus', admin), 400, 'validation_failed');
    expectErrorBody(await api.request('/api/v1/audit?limit=0', admin), 400, 'validation_failed');
  });
});
