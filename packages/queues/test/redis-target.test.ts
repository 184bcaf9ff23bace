import { describe, expect, it } from 'vitest';
import { createRedis, isCluster, parseRedisTarget, queuePrefix } from '../src/index.js';

describe('parseRedisTarget', () => {
  it('leaves a single-server URL to ioredis', () => {
    expect(parseRedisTarget('redis://:pw@cache:6380/2')).toEqual({ kind: 'single', url: 'redis://:pw@cache:6380/2' });
  });

  it('reads the seed nodes, credentials and TLS of a cluster URL', () => {
    expect(parseRedisTarget('rediss+cluster://app:p%40ss@10.0.0.1:7000,[::1]:7001,cache-3:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
        { host: 'cache-3', port: 7002 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
  });

  it('refuses a malformed cluster URL instead of treating it as one server', () => {
    expect(() => parseRedisTarget('redis+cluster://a:notaport')).toThrow(/host:port/);
    expect(() => parseRedisTarget('valkey+cluster://a:7000')).toThrow(/redis\+cluster/);
  });
});

describe('createRedis', () => {
  it('gives workers maxRetriesPerRequest null on every cluster node, producers fail-fast', () => {
    const worker = createRedis('redis+cluster://127.0.0.1:1', 'worker', { lazyConnect: true });
    const producer = createRedis('redis+cluster://127.0.0.1:1', 'producer', { lazyConnect: true });
    try {
      expect(isCluster(worker) && worker.options.redisOptions?.maxRetriesPerRequest).toBeNull();
      expect(isCluster(producer) && producer.options.enableOfflineQueue).toBe(false);
      expect(isCluster(producer) && producer.options.redisOptions?.maxRetriesPerRequest).toBe(2);
    } finally {
      worker.disconnect();
      producer.disconnect();
    }
  });

  it('keeps the single-server prefix as it was, and tags each queue on a cluster', () => {
    expect(queuePrefix('fieldhand', 'sms-send', false)).toBe('fieldhand');
    expect(queuePrefix('fieldhand', 'sms-send', true)).toBe('{fieldhand:sms-send}');
  });
});
