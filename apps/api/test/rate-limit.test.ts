import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '2' } });
});
afterAll(() => api.stop());

describe('rate limiting (Redis store)', () => {
  it('limits each key: 429 with RateLimit headers, Retry-After and the standard body', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.request('/api/v1/tenants', { key: ADMIN_KEY });
      statuses.push(res.status);
      expect(res.headers.get('ratelimit-policy')).toBe('3;w=60');
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`limit=3, remaining=${2 - i}, reset=\\d+`));
    }
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await api.request('/api/v1/tenants', { key: ADMIN_KEY });
    expectErrorBody(limited, 429, 'rate_limited');
    expect(limited.headers.get('ratelimit')).toMatch(/remaining=0/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The buckets live in Redis under this deployment's prefix, so every PM2 instance shares them.
    const keys = await api.redis.connect().keys(`${api.redis.prefix}:rate-limit:key:*`);
    expect(keys).toEqual([`${api.redis.prefix}:rate-limit:key:admin-env`]);
  });

  it('limits unauthenticated callers per IP, counting failed keys but not authenticated calls', async () => {
    expectErrorBody(await api.request('/api/v1/tenants', { key: 'wrong-key-1' }), 401);
    expect((await api.request('/api/v1/openapi.json')).status).toBe(200);
    expectErrorBody(await api.request('/api/v1/tenants', { key: 'wrong-key-2' }), 429, 'rate_limited');
    expectErrorBody(await api.request('/api/v1/docs'), 429);
    // Before: the IP's bucket, full of bad keys, blocked a valid key from the same address too.
    const { key } = await createApiKey(api.db, { tenantId: null, name: 'office behind the same NAT' });
    expect((await api.request('/api/v1/tenants', { key })).status).toBe(200);
  });

  it('never limits the probes', async () => {
    for (let i = 0; i < 5; i++) expect((await api.request('/healthz')).status).toBe(200);
  });
});
