import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@fieldhand/api';
import { loadConfig } from '@fieldhand/config';
import { recordDeadLetter } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { main } from '../src/main.js';

const ADMIN_KEY = 'cli-test-admin-key-0123456789abcdef';
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let server: Server;
let url: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  const producer = redis.connect('producer');
  bus = new JobBus(jobCatalog, producer, redis.prefix);
  const config = loadConfig({ FIELDHAND_ADMIN_KEY: ADMIN_KEY, DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix });
  const app = createApp({ config, db: t.db, bus, redis: producer, logger: createLogger({ name: 'cli-test', level: 'silent' }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function cli(args: string[], env: Record<string, string> = { FIELDHAND_API_KEY: ADMIN_KEY }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--url', url, ...args], { env, cwd: '/nonexistent', output: { out: (l) => out.push(l), err: (l) => err.push(l) } });
  return { code, out, err };
}

describe('fieldhand CLI', () => {
  it('creates and lists tenants through the API', async () => {
    const created = await cli(['tenants', 'create', 'CLI Plumbing', '--timezone', 'America/Denver']);
    expect(created.code).toBe(0);
    const id = created.out[0]!;
    const listed = await cli(['tenants', 'list', '--json']);
    expect(listed.out.map((l) => JSON.parse(l) as { id: string; name: string })).toContainEqual(expect.objectContaining({ id, name: 'CLI Plumbing' }));
  });

  it('lists and replays dead letters', async () => {
    const row = await recordDeadLetter(t.db, { queue: 'maintenance', jobName: 'maintenance.probe', jobId: 'cli-1', data: { tenantId: null, probeId: 'cli' }, attempts: 3, error: 'boom' });
    const listed = await cli(['dead-letters', 'list', '--queue', 'maintenance']);
    expect(listed.out.join('\n')).toContain(row!.id);
    const replayed = await cli(['dead-letters', 'replay', row!.id]);
    expect(replayed.out[0]).toContain(`replay-${row!.id}`);
    expect(await bus.queue('maintenance').getJob(`replay-${row!.id}`)).toBeDefined();
  });

  it('fails with the API error and a non-zero code for a bad key', async () => {
    const result = await cli(['tenants', 'list'], { FIELDHAND_API_KEY: 'fh_wrongwrongwr_nope' });
    expect(result.code).toBe(77);
    expect(result.err[0]).toMatch(/401/);
  });

  it('says which variable to set when there is no key at all', async () => {
    const result = await cli(['tenants', 'list'], {});
    expect(result.code).toBe(77);
    expect(result.err[0]).toContain('FIELDHAND_API_KEY');
  });
});
