// A Twilio sender (number or Messaging Service) belongs to exactly one tenant: no
// tenant texts as another, and inbound texts (STOPs included) reach their owner only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTenant, findTenantBySmsNumber } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
const admin = { key: ADMIN_KEY };
const SERVICE = `MG${'1'.repeat(32)}`;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

async function tenantWithKey(name: string, from: string): Promise<{ id: string; key: string }> {
  const created = await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput(name, from) });
  expect(created.status).toBe(201);
  const key = await api.request(`/api/v1/tenants/${created.body.id}/api-keys`, { method: 'POST', ...admin, body: { name: 'ops' } });
  return { id: created.body.id, key: key.body.key };
}

describe('sender ownership', () => {
  it('refuses a second tenant with the same number: 409 sender_taken, whoever asks', async () => {
    await tenantWithKey('Owner', '+15126660001');
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Copycat', '+15126660001') }), 409, 'sender_taken');
  });

  it("a tenant key cannot take another tenant's number, or change its own: only the admin moves senders", async () => {
    const a = await tenantWithKey('A', '+15126660002');
    const b = await tenantWithKey('B', '+15126660003');
    const twilio = (from: string) => ({ twilio: { from, accountSid: `AC${'b'.repeat(32)}`, authToken: 'b-token-0123456789' } });

    expectErrorBody(await api.request(`/api/v1/tenants/${b.id}`, { method: 'PATCH', key: b.key, body: twilio('+15126660002') }), 403, 'forbidden');
    expectErrorBody(await api.request(`/api/v1/tenants/${b.id}`, { method: 'PATCH', key: b.key, body: twilio('+15126669999') }), 403, 'forbidden');
    expectErrorBody(await api.request(`/api/v1/tenants/${b.id}`, { method: 'PATCH', key: b.key, body: { twilio: null } }), 403, 'forbidden');
    // The admin meets the same constraint: A still owns its number.
    expectErrorBody(await api.request(`/api/v1/tenants/${b.id}`, { method: 'PATCH', ...admin, body: twilio('+15126660002') }), 409, 'sender_taken');
    expect((await findTenant(api.db, b.id))?.twilio?.from).toBe('+15126660003');

    // Keeping the sender and changing the rest is the tenant's own business.
    const ok = await api.request(`/api/v1/tenants/${b.id}`, { method: 'PATCH', key: b.key, body: { twilio: { ...twilio('+15126660003').twilio, sendWindow: { start: '09:00', end: '20:00' } } } });
    expect(ok.status).toBe(200);

    // The admin moves a number: off A, then onto B.
    expect((await api.request(`/api/v1/tenants/${a.id}`, { method: 'PATCH', ...admin, body: { twilio: null } })).status).toBe(200);
    expect((await api.request(`/api/v1/tenants/${b.id}`, { method: 'PATCH', ...admin, body: twilio('+15126660002') })).status).toBe(200);
    expect((await findTenantBySmsNumber(api.db, '+15126660002'))?.id).toBe(b.id);
  });

  it('a Messaging Service belongs to one tenant too', async () => {
    const body = (name: string, from: string) => ({ ...tenantInput(name, from), twilio: { ...tenantInput(name, from).twilio, messagingServiceSid: SERVICE } });
    expect((await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: body('Service owner', '+15126660010') })).status).toBe(201);
    expectErrorBody(await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: body('Service copycat', '+15126660011') }), 409, 'sender_taken');
  });

  it("an older tenant cannot capture a newer tenant's inbound texts by naming its number", async () => {
    const newer = await tenantWithKey('Newer', '+15126660020');
    // Before: an existing tenant could save this number and, being older, win the inbound lookup.
    const older = (await api.request('/api/v1/tenants', { method: 'GET', ...admin })).body.data.at(-1) as { id: string };
    const attempt = await api.request(`/api/v1/tenants/${older.id}`, { method: 'PATCH', ...admin, body: { twilio: { from: '+15126660020' } } });
    expectErrorBody(attempt, 409, 'sender_taken');
    expect((await findTenantBySmsNumber(api.db, '+15126660020'))?.id).toBe(newer.id);
  });
});
