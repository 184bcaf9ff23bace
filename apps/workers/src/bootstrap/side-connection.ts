import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@fieldhand/observability';
import { createRedis } from '@fieldhand/queues';

/**
 * A Redis connection of a role's own (rate limits, request budgets), apart from
 * BullMQ's. Its errors are logged, never unhandled: ioredis reconnects by itself, and
 * the calls made meanwhile fail and are retried by their jobs. It is closed when the
 * role shuts down.
 */
export function sideConnection(url: string, deps: { logger: Logger; onShutdown?: ((close: () => Promise<unknown>) => void) | undefined }, purpose: string): Redis | Cluster {
  const connection = createRedis(url, 'worker');
  connection.on('error', (err: unknown) => deps.logger.debug({ err, purpose }, 'redis connection error'));
  // After the workers stopped nothing is in flight on it; disconnect cannot hang on a Redis that is down.
  deps.onShutdown?.(async () => connection.disconnect());
  return connection;
}
