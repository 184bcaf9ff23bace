import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig, type Config } from '@fieldhand/config';
import type { Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger, type Logger } from '@fieldhand/observability';
import { JobBus, jobCatalog, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createApp } from '../../src/app.js';

export const ADMIN_KEY = 'test-admin-key-0123456789-abcdefghijkl';

// Tests read deep into JSON answers; typing every shape here would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiResponse = { status: number; headers: Headers; body: any; text: string };

export type TestApi = {
  url: string;
  config: Config;
  db: Database;
  bus: JobBus<FieldhandCatalog>;
  redis: TestRedis;
  request: (path: string, init?: { method?: string; key?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string | Uint8Array }) => Promise<ApiResponse>;
  stop: () => Promise<void>;
};

export async function listen(app: ReturnType<typeof createApp>): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A real app over a fresh database and Redis prefix, listening on a random port. */
export async function startTestApi(options: { env?: Record<string, string>; logger?: Logger; db?: Database } = {}): Promise<TestApi> {
  const database: TestDatabase = await createTestDatabase();
  const redis = createTestRedis();
  const config = loadConfig({
    FIELDHAND_ADMIN_KEY: ADMIN_KEY,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const producer = redis.connect('producer');
  const bus = new JobBus(jobCatalog, producer, redis.prefix);
  const logger = options.logger ?? createLogger({ name: 'api-test', level: 'silent' });
  const app = createApp({ config, db: options.db ?? database.db, bus, redis: producer, logger });
  const { server, url } = await listen(app);

  const request: TestApi['request'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers['x-api-key'] = init.key;
    let body: string | Uint8Array | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  return {
    url,
    config,
    db: database.db,
    bus,
    redis,
    request,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await bus.close();
      await redis.cleanup();
      await database.drop();
    },
  };
}

/** Asserts the standard error body and returns it. */
export function expectErrorBody(res: ApiResponse, status: number, code?: string): { code: string; message: string; details?: unknown; correlationId: string } {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  const error = res.body?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || typeof error.correlationId !== 'string' || error.correlationId === '') {
    throw new Error(`not the standard error body: ${res.text}`);
  }
  if (code !== undefined && error.code !== code) throw new Error(`expected code ${code}, got ${error.code}`);
  if (res.headers.get('x-correlation-id') !== error.correlationId) throw new Error('correlationId differs from X-Correlation-ID');
  return error;
}

// A sender and a GHL location belong to one tenant: each tenant made here gets its own.
let senderSeq = 1_234_567;
let locationSeq = 1;
export const tenantInput = (name = 'Acme HVAC', from = `+1555${String(senderSeq++).padStart(7, '0')}`) => ({
  name,
  timezone: 'America/Chicago',
  servicetitan: { tenantId: '1234567', clientId: 'cid.abc', clientSecret: 'st-client-secret-DO-NOT-LEAK', appKey: 'st-app-key-DO-NOT-LEAK' },
  ghl: { locationId: `loc_${process.pid}_${locationSeq++}`, token: 'ghl-token-DO-NOT-LEAK' },
  twilio: { from, accountSid: `AC${'a'.repeat(32)}`, authToken: 'twilio-auth-token-DO-NOT-LEAK' },
});
