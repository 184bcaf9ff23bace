import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '@fieldhand/api';
import { loadConfig } from '@fieldhand/config';
import type { Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { main } from '../../src/main.js';

export const ADMIN_KEY = 'cli-test-admin-key-0123456789abcdef';

export type CliResult = { code: number; out: string[]; err: string[] };

export type CliHarness = {
  readonly t: TestDatabase;
  readonly db: Database;
  readonly redis: TestRedis;
  readonly bus: JobBus<FieldhandCatalog>;
  /** The API the CLI talks to. */
  readonly url: string;
  /** Runs `fieldhand --url <api> …args` in-process, as the admin unless `env` says otherwise. */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
};

/**
 * A real API (its own database and Redis prefix) on a loopback port for the CLI to talk
 * to, set up before the file's tests and torn down after them. Call it at the top of a
 * test file: its hooks run before the file's own beforeAll and after its own afterAll.
 */
export function useCliHarness(name: string): CliHarness {
  let t: TestDatabase | undefined;
  let redis: TestRedis | undefined;
  let bus: JobBus<FieldhandCatalog> | undefined;
  let server: Server | undefined;
  let url = '';
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the CLI harness is not set up yet: use it inside tests or hooks');
    return value;
  };
  beforeAll(async () => {
    t = await createTestDatabase();
    redis = createTestRedis();
    const producer = redis.connect('producer');
    bus = new JobBus(jobCatalog, producer, redis.prefix);
    const config = loadConfig({ FIELDHAND_ADMIN_KEY: ADMIN_KEY, DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix });
    const app = createApp({ config, db: t.db, bus, redis: producer, logger: createLogger({ name, level: 'silent' }) });
    const listening = app.listen(0, '127.0.0.1');
    server = listening;
    await new Promise((r) => listening.once('listening', r));
    url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await bus?.close();
    await redis?.cleanup();
    await t?.drop();
  });
  return {
    get t() {
      return ready(t);
    },
    get db() {
      return ready(t).db;
    },
    get redis() {
      return ready(redis);
    },
    get bus() {
      return ready(bus);
    },
    get url() {
      return ready(url || undefined);
    },
    async cli(args, env = { FIELDHAND_API_KEY: ADMIN_KEY }) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['--url', ready(url || undefined), ...args], { env, cwd: '/nonexistent', output: { out: (l) => out.push(l), err: (l) => err.push(l) } });
      return { code, out, err };
    },
  };
}
