import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { createGhlHttp, GhlAuthError, GhlClient, GhlRequestBudget, GhlRequestError, GhlRetryableError, type GhlLocation } from '../src/index.js';

// A small limit so the budget is crossed in a second, not in ten.
const LIMIT = { max: 20, intervalMs: 1_000, dailyMax: 200_000 };

let running: RunningSandbox;
let redis: TestRedis;
let location: GhlLocation;

beforeAll(async () => {
  running = await createSandbox({ logLevel: 'silent', ghlRateLimit: LIMIT }).listen(0);
  redis = createTestRedis();
  location = await newLocation();
});
afterAll(async () => {
  await running?.close();
  await redis?.cleanup();
});

async function sandbox(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${running.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function newLocation(contacts = 30): Promise<GhlLocation> {
  const { ghl } = (await sandbox('POST', '/accounts', { seed: 11, size: 10, ghl: { contacts } })) as { ghl: GhlLocation };
  return ghl;
}

/** A client as one process would hold it; `statuses` records every answer GHL gave it. */
function client(options: { location?: GhlLocation; budget?: GhlRequestBudget; attempts?: number } = {}) {
  const http = createGhlHttp(5_000);
  const statuses: number[] = [];
  http.interceptors.response.use((response) => {
    statuses.push(response.status);
    return response;
  });
  const ghl = new GhlClient(options.location ?? location, {
    apiUrl: running.env.GHL_API_URL!,
    http,
    ...(options.budget ? { budget: options.budget } : {}),
    retry: { baseDelayMs: 10, maxDelayMs: 50, attempts: options.attempts ?? 5 },
  });
  return { ghl, statuses };
}

async function withFaults<T>(rules: unknown[], run: () => Promise<T>): Promise<T> {
  await sandbox('PUT', '/faults', { seed: 1, rules });
  try {
    return await run();
  } finally {
    await sandbox('DELETE', '/faults');
  }
}

describe('GHL client', () => {
  it('sends the bearer token and Version header; pages contacts with searchAfter', async () => {
    const { ghl } = client();
    const first = await ghl.searchContacts({ pageLimit: 20 });
    expect(first.contacts).toHaveLength(20);
    expect(first.total).toBe(30);
    const next = await ghl.searchContacts({ pageLimit: 20, searchAfter: first.contacts.at(-1)!.searchAfter });
    expect(next.contacts).toHaveLength(10);
    expect(new Set([...first.contacts, ...next.contacts].map((c) => c.id)).size).toBe(30);
    expect((await ghl.pipelines()).length).toBeGreaterThan(0);
  });

  it('three processes sharing a location stay inside its limit: no 429, however many calls they start', async () => {
    const loc = await newLocation(5);
    const budgetKey = `${redis.prefix}:budget`;
    const processes = Array.from({ length: 3 }, () => client({ location: loc, budget: new GhlRequestBudget(redis.connect('worker'), budgetKey, { ...LIMIT, margin: 2 }) }));
    const started = Date.now();
    await Promise.all(processes.flatMap(({ ghl }) => Array.from({ length: 30 }, () => ghl.searchContacts({ pageLimit: 5 }))));
    const statuses = processes.flatMap((p) => p.statuses);
    expect(statuses).toHaveLength(90);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    // 90 requests at 18 per second take at least four full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * LIMIT.intervalMs);
  }, 30_000);

  it('after a 429 every process holds off for the wait GHL asked for', async () => {
    const loc = await newLocation(5);
    const key = `${redis.prefix}:hold`;
    const a = client({ location: loc, budget: new GhlRequestBudget(redis.connect('worker'), key, { ...LIMIT, margin: 2 }), attempts: 1 });
    const b = client({ location: loc, budget: new GhlRequestBudget(redis.connect('worker'), key, { ...LIMIT, margin: 2 }) });
    await withFaults([{ vendor: 'ghl', kind: 'http-error', status: 429, retryAfterSeconds: 1, probability: 1, endpoint: '/ghl/contacts/**' }], async () => {
      await expect(a.ghl.searchContacts({ pageLimit: 5 })).rejects.toMatchObject({ statusCode: 429, retryAfterMs: 1_000 });
    });
    const started = Date.now();
    expect((await b.ghl.searchContacts({ pageLimit: 5 })).contacts).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(b.statuses).toEqual([200]);
  });

  it('retries a read on 5xx and timeouts; tries a write once', async () => {
    const { ghl, statuses } = client();
    await withFaults([{ vendor: 'ghl', kind: 'http-error', status: 502, probability: 0.5, endpoint: '/ghl/contacts/**' }], async () => {
      for (let i = 0; i < 5; i++) expect((await client({ attempts: 10 }).ghl.searchContacts({ pageLimit: 5 })).contacts).toHaveLength(5);
    });
    await withFaults([{ vendor: 'ghl', kind: 'http-error', status: 503, probability: 1, endpoint: '/ghl/opportunities/**' }], async () => {
      const error = await ghl.createOpportunity({ pipelineId: 'x', name: 'n', status: 'open', contactId: 'c' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GhlRetryableError);
      expect(statuses).toEqual([503]);
    });
  });

  it('a refused request carries GHL statusCode and message and is permanent', async () => {
    const error = await client().ghl.createOpportunity({ pipelineId: 'no-such-pipeline', name: 'n', status: 'open', contactId: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlRequestError);
    expect(error).toMatchObject({ permanent: true, statusCode: expect.any(Number) });
    expect((error as GhlRequestError).statusCode).toBeGreaterThanOrEqual(400);
    expect((error as Error).message).toMatch(/GHL POST opportunities\/ failed with 4\d\d: \S/);
  });

  it('a refused token is asked a handful of times, then the location counts as failing', async () => {
    const { ghl, statuses } = client({ location: { ...location, token: 'pit-revoked' } });
    const error = await ghl.searchContacts({ pageLimit: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlAuthError);
    expect(error).toMatchObject({ permanent: true, statusCode: 401, locationId: location.locationId });
    expect(statuses).toEqual([401, 401, 401]);
  });
});
