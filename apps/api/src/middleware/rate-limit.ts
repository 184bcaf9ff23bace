import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Cluster, Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger } from '@fieldhand/observability';
import { isCluster } from '@fieldhand/queues';
import { HttpError } from '../errors/http-error.js';
import { rateLimitKey } from '../http/principal.js';
import { waitForRedis } from '../http/wait-for-redis.js';

export type RateLimitSettings = {
  redis: Redis | Cluster;
  /** Keys live under `<QUEUE_PREFIX>:rate-limit:`, so tests and deployments never share buckets. */
  prefix: string;
  perKeyPerMinute: number;
  unauthenticatedPerMinute: number;
  logger: Logger;
};

/**
 * A Redis store (shared by every PM2 cluster instance) whose script loading
 * cannot get stuck: rate-limit-redis caches the SCRIPT LOAD promise, so a load
 * attempted while Redis was unreachable would fail every later call. Answering
 * with the locally computed SHA instead lets EVALSHA report NOSCRIPT once Redis
 * is back, and the store then loads the script for real.
 */
function redisStore(redis: Redis | Cluster, prefix: string): RedisStore {
  return new RedisStore({
    prefix,
    sendCommand: async (command: string, ...args: string[]) => {
      // Right after boot or a reconnect, wait briefly rather than let requests through unlimited.
      await waitForRedis(redis, 1_000).catch(() => undefined);
      if (command === 'SCRIPT' && args[0] === 'LOAD') {
        try {
          // On a Redis Cluster, EVALSHA runs on its key's node: every primary needs the script.
          const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
          const [sha] = await Promise.all(nodes.map((node) => node.call(command, ...args)));
          return sha as RedisReply;
        } catch {
          return createHash('sha1').update(args[1] ?? '').digest('hex');
        }
      }
      return (await redis.call(command, ...args)) as RedisReply;
    },
  });
}

const tooMany: RequestHandler = (_req, _res, next) => {
  next(new HttpError(429, 'rate_limited', 'Too many requests; retry after the time in the Retry-After header'));
};

/**
 * Two limiters. `perIp` runs after the key is resolved and applies only to requests
 * without a valid key (public routes, failed keys): it bounds key guessing per
 * address, and a valid key is never counted or blocked by its IP. `perKey` limits
 * each valid key, wherever it calls from.
 * If Redis is unreachable requests pass unlimited (and it is logged): limiting
 * protects the service, it must not be the reason reads fail.
 */
export function rateLimiters(settings: RateLimitSettings): { perIp: RequestHandler; perKey: RequestHandler } {
  const logger = {
    warn: (err: unknown, message?: string) => settings.logger.warn({ err }, message ?? 'rate limiter warning'),
    error: (err: unknown, message?: string) => settings.logger.error({ err }, message ?? 'rate limiter error'),
  };
  const common = {
    windowMs: 60_000,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    passOnStoreError: true,
    handler: tooMany,
    logger,
  };
  const perIp = rateLimit({
    ...common,
    limit: settings.unauthenticatedPerMinute,
    store: redisStore(settings.redis, `${settings.prefix}:rate-limit:ip:`),
    skip: (_req, res) => res.locals.principal !== undefined,
  });
  const perKey = rateLimit({
    ...common,
    limit: settings.perKeyPerMinute,
    store: redisStore(settings.redis, `${settings.prefix}:rate-limit:key:`),
    skip: (_req, res) => res.locals.principal === undefined,
    keyGenerator: (_req, res) => rateLimitKey(res.locals.principal!),
  });
  return { perIp, perKey };
}
