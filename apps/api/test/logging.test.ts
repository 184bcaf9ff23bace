import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import { ADMIN_KEY, startTestApi, tenantInput, type TestApi } from './support/test-api.js';

const raw: string[] = [];
let api: TestApi;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _enc, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  api = await startTestApi({ logger: createLogger({ name: 'api', level: 'trace', destination }) });
});
afterAll(() => api.stop());

const lines = () => raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request logs', () => {
  it('never contain an API key, a bearer token or a vendor secret, and carry the correlation id', async () => {
    const input = tenantInput('Log test');
    const created = await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, body: input, headers: { 'x-correlation-id': 'log-corr-1' } });
    expect(created.status).toBe(201);
    const tenantKey = (await api.request(`/api/v1/tenants/${created.body.id}/api-keys`, { method: 'POST', key: ADMIN_KEY, body: { name: 'k' } })).body.key as string;
    await api.request(`/api/v1/tenants/${created.body.id}`, { headers: { authorization: `Bearer ${tenantKey}`, 'x-correlation-id': 'log-corr-2' } });
    await api.request('/api/v1/tenants', { headers: { authorization: 'Bearer made-up-bearer-token-value' } });
    await api.request('/api/v1/tenants', { method: 'POST', key: ADMIN_KEY, headers: { 'content-type': 'application/json' }, rawBody: `{"clientSecret":"${input.servicetitan.clientSecret}",` });
    await new Promise((r) => setTimeout(r, 50));

    const output = raw.join('');
    expect(output.length).toBeGreaterThan(0);
    for (const secret of [ADMIN_KEY, tenantKey, 'made-up-bearer-token-value', input.servicetitan.clientSecret, input.servicetitan.appKey, input.ghl.token, input.twilio.authToken]) {
      expect(output).not.toContain(secret);
    }
    const requests = lines().filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const line of requests) {
      expect(line).toMatchObject({ method: expect.any(String), route: expect.any(String), status: expect.any(Number), durationMs: expect.any(Number) });
      expect(typeof line.correlationId).toBe('string');
    }
    expect(requests).toContainEqual(expect.objectContaining({ correlationId: 'log-corr-1', route: '/api/v1/tenants', status: 201, method: 'POST' }));
    expect(requests).toContainEqual(
      expect.objectContaining({ correlationId: 'log-corr-2', route: '/api/v1/tenants/:tenantId', status: 200, tenantId: created.body.id }),
    );
  });

  it('answers a bug with a generic 500 and logs it with its stack', async () => {
    // A row the public schema cannot describe (written around the API) is a bug, not bad input.
    const broken = await createTenant(api.db, { name: 'Broken', timezone: 'UTC', servicetitan: { tenantId: '1' } as never });
    const res = await api.request(`/api/v1/tenants/${broken.id}`, { key: ADMIN_KEY, headers: { 'x-correlation-id': 'bug-1' } });
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({ code: 'internal_error', message: 'Internal server error', correlationId: 'bug-1' });
    const logged = lines().find((l) => l.level === 'error' && l.msg === 'unhandled error');
    expect(logged).toMatchObject({ correlationId: 'bug-1', route: '/api/v1/tenants/:tenantId' });
    expect((logged?.err as { stack?: string }).stack).toContain('ZodError');
  });
});
