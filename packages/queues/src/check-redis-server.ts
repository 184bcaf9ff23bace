import type { Redis } from 'ioredis';
import type { Logger } from '@fieldhand/observability';
import { isCluster, type RedisConnection } from './redis.js';

export type RedisServerFinding = { node: string; problem: string };

const READY_WAIT_MS = 5_000;

async function readConfig(node: Redis, name: string): Promise<string | undefined> {
  const reply = (await node.config('GET', name)) as string[];
  return reply[1];
}

/**
 * What is wrong with the server(s) behind a connection, for BullMQ: anything but
 * `noeviction` lets Redis drop queue keys under memory pressure (jobs vanish, BullMQ
 * breaks); no persistence loses work in flight on a restart. On a cluster, each primary.
 */
export async function findRedisServerProblems(connection: RedisConnection): Promise<{ eviction: RedisServerFinding[]; persistence: RedisServerFinding[] }> {
  const nodes = isCluster(connection) ? connection.nodes('master') : [connection];
  const eviction: RedisServerFinding[] = [];
  const persistence: RedisServerFinding[] = [];
  for (const node of nodes) {
    const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
    const policy = await readConfig(node, 'maxmemory-policy');
    if (policy !== 'noeviction') eviction.push({ node: name, problem: `maxmemory-policy is ${policy ?? 'unknown'}, not noeviction` });
    const [appendonly, save] = await Promise.all([readConfig(node, 'appendonly'), readConfig(node, 'save')]);
    if (appendonly !== 'yes' && !save) persistence.push({ node: name, problem: 'neither appendonly nor RDB snapshots (save) are on' });
  }
  return { eviction, persistence };
}

async function whenReady(connection: RedisConnection, ms: number): Promise<boolean> {
  const ready = () => connection.status === 'ready';
  if (ready()) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      connection.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    connection.once('ready', done);
  });
  return ready();
}

/**
 * The start-up check of the API and every worker role. An evicting Redis is a loud
 * warning, and in production a refusal to start (`refuse` is called); missing
 * persistence only warns. A Redis that is not up yet is checked when it comes up; one
 * that forbids CONFIG (some managed services) is reported as unchecked.
 */
export async function checkRedisServer(connection: RedisConnection, options: { production: boolean; logger: Logger; refuse: () => void }): Promise<void> {
  const { logger } = options;
  const check = async () => {
    let found: Awaited<ReturnType<typeof findRedisServerProblems>>;
    try {
      found = await findRedisServerProblems(connection);
    } catch (err) {
      logger.warn({ err }, 'could not read the Redis configuration (CONFIG GET); make sure maxmemory-policy is noeviction on every primary');
      return;
    }
    if (found.persistence.length > 0) logger.warn({ nodes: found.persistence }, 'Redis has no persistence: a restart loses every job in flight (the reconcilers rebuild them from PostgreSQL)');
    if (found.eviction.length === 0) return;
    if (options.production) {
      logger.fatal({ nodes: found.eviction }, 'Redis may evict BullMQ keys: set maxmemory-policy noeviction (on every primary); refusing to start in production');
      options.refuse();
    } else {
      logger.warn({ nodes: found.eviction }, 'REDIS MAY EVICT BULLMQ KEYS: set maxmemory-policy noeviction (on every primary); production refuses to start like this');
    }
  };
  if (await whenReady(connection, READY_WAIT_MS)) return check();
  logger.warn('Redis is not reachable yet; its maxmemory-policy is checked once it is');
  connection.once('ready', () => void check());
}
