import type { Cluster, Redis } from 'ioredis';

/**
 * Resolves once `redis` is ready, or rejects after `timeoutMs`. The producer
 * connection refuses commands while (re)connecting instead of queueing them, so
 * callers that can afford a short wait (a probe, the rate limiter at boot) use this.
 */
export async function waitForRedis(redis: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    await redis.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    // Remove the listener on timeout, or every call during an outage would leak one.
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis not ready (${redis.status})`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
