import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fieldhand/observability';
import { createRedis, type RedisConnection } from '@fieldhand/queues';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '@fieldhand/queues/testing';
import { HttpError } from '../src/errors/http-error.js';
import { rateLimiters } from '../src/middleware/rate-limit.js';

let cluster: PrivateRedisCluster;
let redis: RedisConnection;
let server: ReturnType<ReturnType<typeof express>['listen']>;
let base = '';

beforeAll(async () => {
  cluster = await startPrivateRedisCluster(3);
  redis = createRedis(cluster.url, 'producer');
  const limits = rateLimiters({ redis, prefix: 'fh-cluster', perKeyPerMinute: 100, unauthenticatedPerMinute: 2, logger: createLogger({ name: 'rate-limit-cluster', level: 'silent' }) });
  const app = express();
  // The test calls from several "addresses" so the buckets' keys land on different shards.
  app.set('trust proxy', true);
  app.use(limits.perIp);
  app.get('/', (_req, res) => void res.send('ok'));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => void res.status(err instanceof HttpError ? err.status : 500).end();
  app.use(onError);
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await redis?.quit().catch(() => undefined);
  await cluster?.stop();
});

describe('API rate limits on a Redis Cluster', () => {
  it('limits every caller, whichever shard holds its bucket', async () => {
    const ips = Array.from({ length: 12 }, (_, i) => `203.0.113.${i + 1}`);
    for (const ip of ips) {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(base, { headers: { 'x-forwarded-for': ip } })).status);
      // A store error would let the request through (passOnStoreError): a missing script shows as no 429.
      expect({ ip, statuses }).toEqual({ ip, statuses: [200, 200, 429] });
    }
  });
});
