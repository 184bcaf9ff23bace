import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, createDatabase } from '@fieldhand/db';
import { createLogger, setQueueDepthReader } from '@fieldhand/observability';
import { createApp } from '../src/app.js';
import { ADMIN_KEY, expectErrorBody, listen, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  setQueueDepthReader(() => api.bus.depths());
});
afterAll(async () => {
  setQueueDepthReader(undefined);
  await api.stop();
});

describe('probes', () => {
  it('GET /healthz → 200 {status: ok}', async () => {
    const res = await api.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz → 200 when PostgreSQL, Redis and migrations are fine', async () => {
    const res = await api.request('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' } });
  });

  it('a flood of /readyz probes costs one check per second, not two queries per hit', async () => {
    await new Promise((r) => setTimeout(r, 1_100)); // past the previous test's cached answer
    let checkouts = 0;
    const count = () => void checkouts++;
    api.db.$client.on('acquire', count);
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => api.request('/readyz')));
      expect(answers.every((a) => a.status === 200)).toBe(true);
    } finally {
      api.db.$client.off('acquire', count);
    }
    // One check: `select 1` and the migrations count. Before: 100.
    expect(checkouts).toBeLessThanOrEqual(4);
  });

  it('GET /readyz → 503 naming postgres when PostgreSQL is unreachable; API calls needing it → 503', async () => {
    const deadDb = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/fieldhand' });
    const app = createApp({ config: api.config, db: deadDb, bus: api.bus, redis: api.redis.connect('producer'), logger: createLogger({ name: 't', level: 'silent' }) });
    const { server, url } = await listen(app);
    try {
      const started = Date.now();
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { postgres: 'down', redis: 'ok' } });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const list = await fetch(`${url}/api/v1/tenants`, { headers: { 'x-api-key': ADMIN_KEY } });
      const text = await list.text();
      expectErrorBody({ status: list.status, headers: list.headers, body: JSON.parse(text), text }, 503, 'dependency_unavailable');
      expect(list.headers.get('retry-after')).toBe('5');
    } finally {
      server.closeAllConnections();
      server.close();
      await closeDatabase(deadDb);
    }
  });

  it('GET /readyz → 503 naming redis when Redis is unreachable', async () => {
    const { createRedis } = await import('@fieldhand/queues');
    const deadRedis = createRedis('redis://127.0.0.1:1', 'producer', { retryStrategy: () => null, lazyConnect: true });
    deadRedis.on('error', () => undefined);
    const app = createApp({ config: api.config, db: api.db, bus: api.bus, redis: deadRedis, logger: createLogger({ name: 't', level: 'silent' }) });
    const { server, url } = await listen(app);
    try {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'down', migrations: 'ok' } });
    } finally {
      server.closeAllConnections();
      server.close();
      deadRedis.disconnect();
    }
  });
});

describe('metrics', () => {
  it('exposes request durations by route pattern and queue depths', async () => {
    await api.request('/api/v1/tenants/7c9e6679-7425-40de-944b-e07fc1f90ae7', { key: ADMIN_KEY });
    await api.request('/no/such/route');
    const res = await api.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(res.text).toContain('fieldhand_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/fieldhand_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/tenants\/:tenantId",status="404"\} 1/);
    expect(res.text).toMatch(/route="unmatched",status="404"/);
    expect(res.text).not.toContain('7c9e6679');
    expect(res.text).toMatch(/fieldhand_queue_depth\{queue="dead-letter",state="waiting"\} 0/);
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789';
    const config = { ...api.config, http: { ...api.config.http, METRICS_TOKEN: token } };
    const app = createApp({ config, db: api.db, bus: api.bus, redis: api.redis.connect('producer'), logger: createLogger({ name: 't', level: 'silent' }) });
    const { server, url } = await listen(app);
    try {
      const denied = await fetch(`${url}/metrics`);
      expect(denied.status).toBe(401);
      expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      const allowed = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('correlation id', () => {
  it('echoes a caller id and generates one when absent or unacceptable', async () => {
    const echoed = await api.request('/healthz', { headers: { 'x-correlation-id': 'caller-id-123' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('caller-id-123');
    const generated = await api.request('/healthz');
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await api.request('/healthz', { headers: { 'x-correlation-id': 'a b\tc<script>' } });
    expect(hostile.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const error = await api.request('/api/v1/nope', { headers: { 'x-correlation-id': 'err-id-1' } });
    expect(error.body.error.correlationId).toBe('err-id-1');
  });
});

describe('security headers and CORS', () => {
  it('sends helmet headers and no CORS headers by default', async () => {
    const res = await fetch(`${api.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only configured origins when CORS_ORIGINS is set', async () => {
    const config = { ...api.config, http: { ...api.config.http, CORS_ORIGINS: ['https://app.example'] } };
    const app = createApp({ config, db: api.db, bus: api.bus, redis: api.redis.connect('producer'), logger: createLogger({ name: 't', level: 'silent' }) });
    const { server, url } = await listen(app);
    try {
      const preflight = await fetch(`${url}/api/v1/tenants`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('X-API-Key');
      const other = await fetch(`${url}/healthz`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
