import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { ADMIN_KEY } from './support/test-api.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let database: TestDatabase;
let redis: TestRedis;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
  await database.drop();
});

/** Runs src/main.ts as PM2 would (a child with an IPC channel), from TypeScript sources. */
async function startMain(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      FIELDHAND_ADMIN_KEY: ADMIN_KEY,
      SHUTDOWN_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready message; output:\n${out}`)), 20_000);
    child.on('message', (m) => {
      if (m === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
  });
  // The IPC message and the stdout pipe are separate channels: the log line may trail 'ready'.
  const findListening = () => out.split('\n').map((l) => (l.startsWith('{') ? JSON.parse(l) : {})).find((l) => l.msg === 'api listening');
  for (let i = 0; i < 50 && !findListening(); i++) await new Promise((r) => setTimeout(r, 100));
  const listening = findListening();
  expect(listening).toMatchObject({ adminKeySource: 'FIELDHAND_ADMIN_KEY', docs: expect.stringContaining('/api/v1/docs') });
  expect(out).not.toContain(ADMIN_KEY);
  return { child, url: listening.listening as string, output: () => out };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - started })));
}

describe('main.ts', () => {
  it('signals ready, serves, and exits 0 on SIGTERM, refusing new connections', async () => {
    const { child, url, output } = await startMain();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const tenants = await fetch(`${url}/api/v1/tenants`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(tenants.status).toBe(200);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(output()).toContain('shutdown complete');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("exits 0 on PM2's 'shutdown' message", async () => {
    const { child } = await startMain();
    const exited = exitOf(child);
    child.send('shutdown');
    expect((await exited).code).toBe(0);
  });
});
