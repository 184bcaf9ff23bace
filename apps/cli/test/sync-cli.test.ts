import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@fieldhand/api';
import { loadConfig } from '@fieldhand/config';
import { createTenant } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { main } from '../src/main.js';

const ADMIN_KEY = 'cli-sync-admin-key-0123456789abcdef';
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let server: Server;
let url: string;
let synced: string;
let bare: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  const producer = redis.connect('producer');
  bus = new JobBus(jobCatalog, producer, redis.prefix);
  const config = loadConfig({ FIELDHAND_ADMIN_KEY: ADMIN_KEY, DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix });
  const app = createApp({ config, db: t.db, bus, redis: producer, logger: createLogger({ name: 'cli-sync-test', level: 'silent' }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  synced = (await createTenant(t.db, { name: 'Synced', timezone: 'UTC', servicetitan: { tenantId: '1', clientId: 'cid', clientSecret: 'secret', appKey: 'key' } })).id;
  bare = (await createTenant(t.db, { name: 'Bare', timezone: 'UTC' })).id;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--url', url, ...args], { env: { FIELDHAND_API_KEY: ADMIN_KEY }, cwd: '/nonexistent', output: { out: (l) => out.push(l), err: (l) => err.push(l) } });
  return { code, out, err };
}

describe('fieldhand sync', () => {
  it('starts every source the tenant is set up for when no --source is given', async () => {
    const result = await cli(['sync', 'start', synced, '--modules', 'estimates']);
    expect(result.code, result.err.join('\n')).toBe(0);
    expect(result.out[0]).toMatch(/^servicetitan sync started \(job .+\) for estimates$/);
    const [job] = await bus.queue('sync').getJobs(['waiting']);
    expect(job?.data).toMatchObject({ tenantId: synced, source: 'servicetitan', modules: ['estimates'] });
  });

  it('passes --source to the API, which refuses one that is not registered', async () => {
    const result = await cli(['sync', 'start', synced, '--source', 'nosuch']);
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/400 validation_failed/);
  });

  it('fails for a tenant set up for no source', async () => {
    const result = await cli(['sync', 'start', bare]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('set up for no sync source');
  });

  it('shows the status of each module with its source', async () => {
    const result = await cli(['sync', 'status', synced, '--source', 'servicetitan', '--json']);
    expect(result.code).toBe(0);
    const rows = result.out.map((l) => JSON.parse(l) as { source: string; module: string });
    expect(rows.map((r) => r.module)).toContain('estimates');
    expect(rows.every((r) => r.source === 'servicetitan')).toBe(true);
  });
});
