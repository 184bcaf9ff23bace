import type { Redis } from 'ioredis';
import type { Logger } from '@fieldhand/observability';
import { createRedis } from '@fieldhand/queues';

/**
 * A Redis connection of a role's own (rate limits, request budgets), apart from
 * BullMQ's. Its errors are logged, never unhandled: ioredis reconnects by itself, and
 * the calls made meanwhile fail and are retried by their jobs. It ends with the process.
 */
export function sideConnection(url: string, logger: Logger, purpose: string): Redis {
  const connection = createRedis(url, 'worker');
  connection.on('error', (err: unknown) => logger.debug({ err, purpose }, 'redis connection error'));
  return connection;
}
