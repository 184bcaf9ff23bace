import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('Redis configuration', () => {
  it('keeps a single-server REDIS_URL as given', () => {
    expect(loadConfig({ REDIS_URL: 'redis://:pw@cache:6380/2' }).redis).toMatchObject({ REDIS_URL: 'redis://:pw@cache:6380/2', REDIS_CLUSTER: false });
  });

  it('takes a cluster URL with seed nodes', () => {
    const { redis } = loadConfig({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000' });
    expect(redis).toMatchObject({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000', REDIS_CLUSTER: true });
  });

  it('folds REDIS_CLUSTER_NODES into the cluster URL, keeping the password and TLS of REDIS_URL', () => {
    const { redis } = loadConfig({ REDIS_URL: 'rediss://app:s3cret@ignored:6379', REDIS_CLUSTER_NODES: 'a:7000,b:7001' });
    expect(redis).toMatchObject({ REDIS_URL: 'rediss+cluster://app:s3cret@a:7000,b:7001', REDIS_CLUSTER: true });
  });

  it('names a malformed cluster setting', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis+cluster://a,b:7000' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:7000;b:7001' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_URL: 'redis+cluster://a:7000', REDIS_CLUSTER_NODES: 'b:7000' })).toThrow(ConfigError);
  });
});
