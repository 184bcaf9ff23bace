import type { Cluster, Redis } from 'ioredis';
import { migrationStatus, type Database } from '@fieldhand/db';
import { waitForRedis } from './wait-for-redis.js';

export type CheckState = 'ok' | 'down' | 'pending' | 'unknown';
export type Readiness = { ready: boolean; checks: { postgres: CheckState; redis: CheckState; migrations: CheckState } };

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * checkReadiness shared for `ttlMs`: /readyz is public and unthrottled, so a flood of
 * probes costs at most one check per second per process, never two queries per hit.
 */
export function cachedReadiness(db: Database, redis: Redis | Cluster, ttlMs = 1_000): () => Promise<Readiness> {
  let last: { at: number; result: Promise<Readiness> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ttlMs) last = { at: now, result: checkReadiness(db, redis) };
    return last.result;
  };
}

/**
 * PostgreSQL answers, Redis answers, and every migration this code expects is
 * applied. Each check is bounded so a hung dependency fails the probe instead of
 * hanging it. More migrations than expected is still ready: during a rolling
 * deploy the new release migrates first and old instances keep serving.
 */
async function checkReadiness(db: Database, redis: Redis | Cluster, timeoutMs = 2_000): Promise<Readiness> {
  const [postgres, redisState, migrations] = await Promise.all([
    withTimeout(db.$client.query('select 1'), timeoutMs).then(
      () => 'ok' as const,
      () => 'down' as const,
    ),
    withTimeout(waitForRedis(redis, timeoutMs).then(() => redis.ping()), timeoutMs).then(
      () => 'ok' as const,
      () => 'down' as const,
    ),
    withTimeout(migrationStatus(db), timeoutMs).then(
      (s) => (s.applied >= s.expected ? ('ok' as const) : ('pending' as const)),
      () => 'unknown' as const,
    ),
  ]);
  const checks = { postgres, redis: redisState, migrations };
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}
