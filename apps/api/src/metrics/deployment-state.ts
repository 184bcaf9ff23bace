import { countMessagesInStatus, countOptOutsToday, syncLagByModule, type Database } from '@fieldhand/db';
import type { DeploymentState, Logger } from '@fieldhand/observability';

// A single Redis or a Cluster (INFO then answers for one node).
type RedisInfo = { info: (section: 'memory') => Promise<string> };

/** Reads what the deployment gauges show; a part that cannot be read is left out of that scrape (and logged). */
export function readDeploymentState(db: Database, redis: RedisInfo, logger: Logger): () => Promise<DeploymentState> {
  const orElse = <T>(what: string, fallback: T) => (err: unknown) => {
    logger.warn({ err }, `metrics: could not read ${what}`);
    return fallback;
  };
  return async () => {
    const [syncLag, messagesUnknown, optOutsToday, redisMemory] = await Promise.all([
      syncLagByModule(db).catch(orElse('the sync lag', [])),
      countMessagesInStatus(db, 'unknown').catch(orElse('the unknown-message count', Number.NaN)),
      countOptOutsToday(db).catch(orElse('the opt-outs of today', Number.NaN)),
      redis
        .info('memory')
        .then(parseRedisMemory)
        .catch(orElse('the Redis memory', undefined)),
    ]);
    return { syncLag, messagesUnknown, optOutsToday, redisMemory };
  };
}

/** `used_memory` and `maxmemory` of `INFO memory`. */
export function parseRedisMemory(info: string): DeploymentState['redisMemory'] {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
  const usedBytes = field('used_memory');
  const maxBytes = field('maxmemory');
  return Number.isFinite(usedBytes) ? { usedBytes, maxBytes: Number.isFinite(maxBytes) ? maxBytes : 0 } : undefined;
}
