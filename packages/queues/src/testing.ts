import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from './redis.js';

export type TestRedis = {
  url: string;
  /** A key prefix no other test file uses. */
  prefix: string;
  connect: (role?: 'producer' | 'worker') => Redis;
  /** Closes connections made here and deletes every key under the prefix. */
  cleanup: () => Promise<void>;
};

export function createTestRedis(): TestRedis {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `fh-test-${randomBytes(6).toString('hex')}`;
  const opened: Redis[] = [];
  return {
    url,
    prefix,
    connect: (role = 'worker') => {
      const redis = createRedis(url, role);
      opened.push(redis);
      return redis;
    },
    cleanup: async () => {
      const redis = createRedis(url, 'worker');
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await Promise.all([...opened, redis].map((r) => r.quit().catch(() => undefined)));
    },
  };
}

export type PrivateRedis = {
  url: string;
  /** Stops the server (SIGKILL: an outage, not a shutdown). */
  stop: () => Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start: () => Promise<void>;
};

/**
 * A redis-server of the test's own, for tests that stop Redis: the shared one
 * must never be disturbed.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  let proc: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const client = createRedis(url, 'worker');
    client.on('error', () => undefined);
    await client.ping();
    client.disconnect();
  };
  await start();
  return {
    url,
    start,
    stop: async () => {
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc!.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
