// Input that must be refused with a clear 400, never a 500 or a text nobody meant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

let api: TestApi;
let tenant: string;
const admin = { key: ADMIN_KEY };
const cursorOf = (at: string, id = '7c9e6679-7425-40de-944b-e07fc1f90ae7') => Buffer.from(JSON.stringify([at, id])).toString('base64url');

beforeAll(async () => {
  api = await startTestApi();
  tenant = (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput('Limits HVAC') })).body.id;
});
afterAll(() => api.stop());

const send = (body: unknown) => api.request(`/api/v1/tenants/${tenant}/messages`, { method: 'POST', ...admin, body });

describe('rendered texts', () => {
  it("are capped at Twilio's 1,600 characters, with a 400 naming the limit", async () => {
    const error = expectErrorBody(await send({ to: '+15127036001', template: '{{a}}{{a}}{{a}}{{a}}', vars: { a: 'x'.repeat(500) } }), 400, 'validation_failed');
    expect(error.message).toContain('1600');
    expect(error.message).toContain('2000 characters');
    expect((await send({ to: '+15127036001', body: 'x'.repeat(1_600) })).status).toBe(202);
  });

  it("fill only the variables given: {{constructor}} is missing, not Object's constructor", async () => {
    const error = expectErrorBody(await send({ to: '+15127036002', template: 'Hi {{constructor}}', vars: {} }), 400, 'validation_failed');
    expect(error.message).toContain('Missing template variable(s): constructor');
    const stored = await api.db.select({ body: messages.body }).from(messages);
    expect(stored.some((m) => m.body.includes('function'))).toBe(false);
  });
});

describe('cursors', () => {
  it.each(['2026-13-45 99:99:99', '2026-02-30 10:00:00', '0000-01-01 00:00:00', '2026-01-01 10:00:00+99'])('a crafted cursor at %s is a 400, never a 500', async (at) => {
    for (const path of ['/api/v1/tenants', `/api/v1/tenants/${tenant}/messages`, `/api/v1/tenants/${tenant}/api-keys`, '/api/v1/dead-letters']) {
      expectErrorBody(await api.request(`${path}?cursor=${cursorOf(at)}`, admin), 400, 'validation_failed');
    }
  });

  it('a real cursor still pages', async () => {
    for (let i = 0; i < 3; i++) await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput(`Page ${i}`) });
    const first = await api.request('/api/v1/tenants?limit=2', admin);
    const second = await api.request(`/api/v1/tenants?limit=2&cursor=${first.body.nextCursor}`, admin);
    expect(second.status).toBe(200);
    expect(second.body.data.length).toBeGreaterThan(0);
  });
});
