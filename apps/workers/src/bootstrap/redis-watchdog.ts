import type { Cluster, Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { Logger } from '@fieldhand/observability';

/**
 * BullMQ workers have been seen to stop consuming after a long Redis outage
 * even once the connection returns. Rather than trust that, a worker whose
 * Redis stays down past `maxDownMs`, or whose workers stopped running after a
 * reconnect, exits non-zero so PM2 restarts it with fresh connections.
 */
export function watchRedis(connection: Redis | Cluster, workers: Worker[], logger: Logger, maxDownMs: number, exit: (code: number) => void): () => void {
  let downSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const onDown = () => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    logger.warn({ maxDownMs }, 'redis connection lost; waiting for it to return');
    timer = setTimeout(() => {
      logger.fatal({ downForMs: Date.now() - (downSince ?? Date.now()) }, 'redis unreachable for too long; exiting for a clean restart');
      exit(1);
    }, maxDownMs);
  };
  const onReady = () => {
    if (downSince === undefined) return;
    clearTimeout(timer);
    logger.info({ downForMs: Date.now() - downSince }, 'redis connection restored');
    downSince = undefined;
    // Give workers a moment to resume their blocking reads before judging them.
    setTimeout(() => {
      const stopped = workers.filter((w) => !w.isRunning() && !w.closing);
      if (stopped.length > 0) {
        logger.fatal({ queues: stopped.map((w) => w.name) }, 'workers stopped consuming after reconnect; exiting for a clean restart');
        exit(1);
      }
    }, 5_000).unref();
  };

  connection.on('close', onDown);
  connection.on('end', onDown);
  connection.on('ready', onReady);
  return () => {
    clearTimeout(timer);
    connection.off('close', onDown);
    connection.off('end', onDown);
    connection.off('ready', onReady);
  };
}
