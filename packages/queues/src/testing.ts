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
