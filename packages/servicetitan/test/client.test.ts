import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import type { RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { ServiceTitanRequestError, ServiceTitanRetryableError } from '../src/client/errors.js';
import { RequestBudget } from '../src/client/request-budget.js';
import { retryAfterMs } from '@fieldhand/sync';
import { createHttp, ServiceTitanClient, type ServiceTitanTenant } from '../src/client/servicetitan-client.js';
import { TokenCache } from '../src/client/token-cache.js';
import { control, createAccount, startSandbox } from './harness.js';

let running: RunningSandbox;
let redis: TestRedis;
let tenant: ServiceTitanTenant;

beforeAll(async () => {
  running = (await startSandbox()).running;
  redis = createTestRedis();
  const account = await createAccount(running, { seed: 3, size: 10 });
  tenant = { tenantId: String(account.tenantId), clientId: account.clientId, clientSecret: account.clientSecret, appKey: account.appKey };
});

afterAll(async () => {
  await control(running, 'DELETE', '/faults');
  await running?.close();
  await redis?.cleanup();
});

function client(options: { retry?: { attempts: number; baseDelayMs?: number }; tenant?: ServiceTitanTenant; tokens?: TokenCache } = {}) {
  const http = createHttp(5_000);
  return new ServiceTitanClient(options.tenant ?? tenant, {
    authUrl: running.env.SERVICETITAN_AUTH_URL!,
    apiUrl: running.env.SERVICETITAN_API_URL!,
    tokens: options.tokens ?? new TokenCache(http),
    http,
    retry: { baseDelayMs: 10, maxDelayMs: 50, ...options.retry },
  });
}

async function withFaults<T>(rules: unknown[], run: () => Promise<T>): Promise<T> {
  await control(running, 'PUT', '/faults', { seed: 1, rules });
  try {
    return await run();
  } finally {
    await control(running, 'DELETE', '/faults');
  }
}

describe('ServiceTitan client', () => {
  it('asks for one token however many calls start at once', async () => {
    const http = createHttp(5_000);
    let tokenRequests = 0;
    http.interceptors.request.use((config) => {
      if (config.url?.endsWith('/connect/token')) tokenRequests++;
      return config;
    });
    const shared = new ServiceTitanClient(tenant, { authUrl: running.env.SERVICETITAN_AUTH_URL!, apiUrl: running.env.SERVICETITAN_API_URL!, tokens: new TokenCache(http), http });
    const pages = await Promise.all(Array.from({ length: 20 }, () => shared.export('crm', 'customers', null)));
    expect(pages.every((p) => p.data.length === 10)).toBe(true);
    expect(tokenRequests).toBe(1);
  });

  it('gets a new token when the API rejects one that expired early', async () => {
    await withFaults([{ vendor: 'servicetitan', kind: 'token-expiry', probability: 1, endpoint: '/servicetitan/api/crm/**' }], async () => {
      // Every call kills its token, so even the fresh one is refused: retryable, not a crash.
      await expect(client({ retry: { attempts: 2 } }).export('crm', 'customers', null)).rejects.toMatchObject({ name: 'ServiceTitanRetryableError', status: 401 });
    });
    await withFaults([{ vendor: 'servicetitan', kind: 'token-expiry', probability: 0.3, endpoint: '/servicetitan/api/crm/**' }], async () => {
      const c = client({ retry: { attempts: 5 } });
      for (let i = 0; i < 10; i++) expect((await c.export('crm', 'customers', null)).data).toHaveLength(10);
    });
  });

  it('makes other 4xx permanent (the sync job does not retry them) and keeps the vendor problem body', async () => {
    const wrongTenant = client({ tenant: { ...tenant, tenantId: '999' } });
    const error = await wrongTenant.export('crm', 'customers', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanRequestError);
    expect((error as ServiceTitanRequestError).permanent).toBe(true);
    expect((error as ServiceTitanRequestError).status).toBe(403);
    expect((error as ServiceTitanRequestError).problem).toMatchObject({ status: 403, title: expect.stringContaining('Forbidden'), traceId: expect.any(String) });
    const bad = await client().export('crm', 'customers', 'not-a-token').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ServiceTitanRequestError);
    expect((bad as ServiceTitanRequestError).problem).toMatchObject({ status: 400, errors: { from: [expect.any(String)] } });
  });

  it('treats truncated and malformed bodies as retryable, never as data', async () => {
    for (const kind of ['truncate', 'malformed']) {
      await withFaults([{ vendor: 'servicetitan', kind, probability: 1, endpoint: '/servicetitan/api/**' }], async () => {
        const error = await client({ retry: { attempts: 2 } }).export('crm', 'customers', null).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceTitanRetryableError);
        expect((error as ServiceTitanRetryableError).permanent).toBe(false);
        expect((error as Error).message).toMatch(/malformed or truncated/);
      });
    }
  });

  it('honours Retry-After on 429 and backs off on 5xx until it succeeds', async () => {
    await withFaults([{ vendor: 'servicetitan', kind: 'http-error', status: 429, retryAfterSeconds: 1, probability: 1, endpoint: '/servicetitan/api/**' }], async () => {
      const started = Date.now();
      const error = await client({ retry: { attempts: 2 } }).export('crm', 'customers', null).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    });
    await withFaults([{ vendor: 'servicetitan', kind: 'http-error', status: 500, probability: 0.5, endpoint: '/servicetitan/api/**' }], async () => {
      const c = client({ retry: { attempts: 10 } });
      for (let i = 0; i < 10; i++) expect((await c.export('crm', 'customers', null)).data).toHaveLength(10);
    });
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs(new Date(Date.now() + 5_000).toUTCString())).toBeGreaterThan(3_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('retries connection errors and timeouts, then reports them as retryable', async () => {
    const dead = new ServiceTitanClient(tenant, { authUrl: 'http://127.0.0.1:9/auth', apiUrl: 'http://127.0.0.1:9/api', tokens: new TokenCache(createHttp(1_000)), retry: { attempts: 2, baseDelayMs: 10 } });
    await expect(dead.export('crm', 'customers', null)).rejects.toBeInstanceOf(ServiceTitanRetryableError);
    await withFaults([{ vendor: 'servicetitan', kind: 'hang', probability: 1, endpoint: '/servicetitan/api/**' }], async () => {
      const c = new ServiceTitanClient(tenant, { authUrl: running.env.SERVICETITAN_AUTH_URL!, apiUrl: running.env.SERVICETITAN_API_URL!, tokens: new TokenCache(createHttp(300)), http: createHttp(300), retry: { attempts: 2, baseDelayMs: 10 } });
      await expect(c.export('crm', 'customers', null)).rejects.toThrow(/timeout/i);
    });
  });
});

describe('request budget', () => {
  it('holds every process sharing Redis to the per-tenant rate', async () => {
    const options = { requestsPerSecond: 20, keyPrefix: redis.prefix };
    // Two budgets on two connections stand in for two worker processes.
    const a = new RequestBudget(redis.connect('worker'), options);
    const b = new RequestBudget(redis.connect('worker'), options);
    const started = Date.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('tenant-1')));
    const elapsed = Date.now() - started;
    // 20 at once (the burst), then 40 more at 20/s.
    expect(elapsed).toBeGreaterThanOrEqual(1_800);
    expect(elapsed).toBeLessThan(4_000);
    // Another tenant's budget is untouched.
    const other = Date.now();
    await a.take('tenant-2');
    expect(Date.now() - other).toBeLessThan(200);
  });
});

describe('ServiceTitan tokens are never shared between credentials or tenants', () => {
  it("a tenant that saves another tenant's client id with any secret gets no token, and no data", async () => {
    const http = createHttp(5_000);
    const tokens = new TokenCache(http);
    const make = (owner: string, creds: ServiceTitanTenant) =>
      new ServiceTitanClient(creds, { owner, authUrl: running.env.SERVICETITAN_AUTH_URL!, apiUrl: running.env.SERVICETITAN_API_URL!, tokens, http, retry: { attempts: 1 } });
    const victim = make('tenant-a', tenant);
    expect((await victim.export('crm', 'customers', null)).data).toHaveLength(10);
    // Before: the cache key was auth URL + client id, so this client got the victim's token.
    const thief = make('tenant-b', { ...tenant, clientSecret: 'guessed-anything' });
    await expect(thief.export('crm', 'customers', null)).rejects.toThrow();
    // Even the right secret under another of our tenants authenticates on its own.
    let tokenRequests = 0;
    http.interceptors.request.use((config) => {
      if (config.url?.endsWith('/connect/token')) tokenRequests++;
      return config;
    });
    await make('tenant-c', tenant).export('crm', 'customers', null);
    expect(tokenRequests).toBe(1);
  });

  it('new credentials authenticate again instead of reusing the old token', async () => {
    const http = createHttp(5_000);
    const tokens = new TokenCache(http);
    let tokenRequests = 0;
    http.interceptors.request.use((config) => {
      if (config.url?.endsWith('/connect/token')) tokenRequests++;
      return config;
    });
    const withSecret = (clientSecret: string) =>
      new ServiceTitanClient({ ...tenant, clientSecret }, { owner: 'tenant-a', authUrl: running.env.SERVICETITAN_AUTH_URL!, apiUrl: running.env.SERVICETITAN_API_URL!, tokens, http, retry: { attempts: 1 } });
    await withSecret(tenant.clientSecret).export('crm', 'customers', null);
    await expect(withSecret('rotated-but-wrong').export('crm', 'customers', null)).rejects.toThrow();
    expect(tokenRequests).toBe(2);
  });
});

describe('appointment confirmation', () => {
  const confirmations = async (appointmentId: number) =>
    ((await control(running, 'GET', `/servicetitan/${tenant.tenantId}/appointments/${appointmentId}/confirmations`)) as { calls: { method: string; outcome: string }[] }).calls;

  it('PUTs one confirmation; a second PUT answers 409, which is the same outcome', async () => {
    // A visit booked now is not confirmed yet.
    const appointmentId = Number((await control(running, 'POST', `/servicetitan/${tenant.tenantId}/appointments`, { jobId: 50_000_000, startsInMinutes: 60 }))['id']);
    const c = client();
    expect(await c.confirmAppointment(appointmentId)).toBe('confirmed');
    expect(await c.confirmAppointment(appointmentId)).toBe('already-confirmed');
    expect(await confirmations(appointmentId)).toEqual([
      expect.objectContaining({ method: 'PUT', outcome: 'changed' }),
      expect.objectContaining({ method: 'PUT', outcome: 'conflict' }),
    ]);
    const record = await control(running, 'GET', `/servicetitan/${tenant.tenantId}/records/appointments/${appointmentId}`);
    expect(record['isConfirmed']).toBe(true);
  });

  it('an unknown appointment is a permanent error carrying the problem body', async () => {
    const error = await client().confirmAppointment(987_654_321).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceTitanRequestError);
    expect(error).toMatchObject({ status: 404, method: 'PUT', problem: expect.objectContaining({ title: 'Appointment was not found' }) });
  });

  it('makes one attempt on a 503: the write ledger decides about trying again', async () => {
    const appointmentId = 60_000_001;
    await withFaults([{ vendor: 'servicetitan', kind: 'http-error', status: 503, probability: 1, endpoint: '/servicetitan/api/jpm/**' }], async () => {
      const error = await client({ retry: { attempts: 5 } }).confirmAppointment(appointmentId).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTitanRetryableError);
    });
    // The fault answered before the route: ServiceTitan saw no confirmation.
    expect(await confirmations(appointmentId)).toEqual([]);
  });
});
