import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { SHIPPED_WORKFLOWS } from '@fieldhand/workflows';
import { main } from '../src/main.js';

const ADMIN_KEY = 'cli-test-admin-key-0123456789abcdef';
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let server: Server;
let url: string;
let tenantId: string;

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
  tenantId = (await createTenant(t.db, { name: 'CLI HVAC', timezone: 'America/Chicago' })).id;
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

describe('fieldhand workflows / runs', () => {
  it('lists, saves a version, enables and shows definitions; lists runs', async () => {
    const listed = await cli(['workflows', 'list', tenantId, '--json']);
    expect(listed.code).toBe(0);
    expect(listed.out.map((l) => JSON.parse(l) as { key: string }).map((d) => d.key)).toContain('estimate-follow-up');

    const file = join(tmpdir(), `wf-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ ...SHIPPED_WORKFLOWS[0], key: 'my-follow-up' }));
    expect((await cli(['workflows', 'save', tenantId, file])).out).toEqual(['my-follow-up version 1 saved']);
    expect((await cli(['workflows', 'enable', tenantId, 'my-follow-up'])).out).toEqual(['my-follow-up enabled (version 1)']);
    const shown = await cli(['workflows', 'show', tenantId, 'my-follow-up']);
    expect(JSON.parse(shown.out.join('\n'))).toMatchObject({ key: 'my-follow-up', enabled: true, versions: [1] });

    const runs = await cli(['runs', 'list', tenantId, '--json']);
    expect(runs).toMatchObject({ code: 0, out: [] });
    const missing = await cli(['runs', 'show', tenantId, '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).not.toBe(0);
  });
});
