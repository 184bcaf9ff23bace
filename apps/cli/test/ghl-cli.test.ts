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
import type { RunningSandbox } from '../../sandbox/src/index.js';
import { createGhlTenant, createLocation, startSandbox, startSyncWorker, type SyncHarness } from '../../../packages/ghl/test/harness.js';
import { main } from '../src/main.js';

const ADMIN_KEY = 'cli-ghl-admin-key-0123456789abcdefgh';
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let server: Server;
let url: string;
let sandbox: { close: () => Promise<void> } & RunningSandbox;
let worker: SyncHarness;
let tenantId: string;
let bare: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  const producer = redis.connect('producer');
  bus = new JobBus(jobCatalog, producer, redis.prefix);
  const config = loadConfig({ FIELDHAND_ADMIN_KEY: ADMIN_KEY, DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix });
  const app = createApp({ config, db: t.db, bus, redis: producer, logger: createLogger({ name: 'cli-ghl-test', level: 'silent' }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandbox = (await startSandbox()).running;
  tenantId = await createGhlTenant(t.db, await createLocation(sandbox, { contacts: 30, opportunities: 10 }, 21));
  bare = (await createTenant(t.db, { name: 'Bare', timezone: 'UTC' })).id;
  worker = startSyncWorker(t.db, redis, sandbox);
});
afterAll(async () => {
  await worker.close();
  await sandbox.close();
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

describe('fieldhand ghl and sync --source ghl', () => {
  it('says there is nothing yet before a sync, then syncs with one plain progress line per module change (no TTY) and lists the pipelines', async () => {
    const before = await cli(['ghl', 'pipelines', tenantId]);
    expect(before.code, before.err.join('\n')).toBe(0);
    expect(before.out).toEqual(['no pipelines synced yet; run `fieldhand sync start <tenantId> --source ghl --wait`']);

    const synced = await cli(['sync', 'start', tenantId, '--source', 'ghl', '--wait', '--poll', '100']);
    expect(synced.code, synced.err.join('\n')).toBe(0);
    expect(synced.out[0]).toMatch(/^ghl sync started \(job .+\) for .*contacts/);
    for (const module of ['contacts', 'opportunities', 'pipelines']) expect(synced.out).toContainEqual(expect.stringMatching(new RegExp(`^ghl/${module}: done · \\d+ records$`)));
    expect(synced.out).toContainEqual('ghl/contacts: done · 30 records');
    expect(synced.out.at(-1)).toBe('sync finished');

    const listed = await cli(['ghl', 'pipelines', tenantId]);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^id\s+name\s+stages\s+syncedAt\s*$/);
    expect(listed.out[1]).toContain('Estimates');
    expect(listed.out[1]).toContain('New Lead → Estimate Sent → Follow-up → Won → Lost');
    const json = await cli(['ghl', 'pipelines', tenantId, '--json']);
    expect(json.out.map((l) => (JSON.parse(l) as { name: string; stages: unknown[] }).stages.length)).toEqual([5]);
  });

  it('fails for a tenant without a GHL location', async () => {
    const result = await cli(['ghl', 'pipelines', bare]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain('has no GHL location');
  });
});
