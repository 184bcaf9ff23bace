import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

/** What `createRedis` returns: BullMQ takes either as its `connection`. */
export type RedisConnection = Redis | Cluster;

export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; username?: string; password?: string; tls: boolean };

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/;

/**
 * `redis://…` (or `rediss://`) is one server; `redis+cluster://[user:pass@]host:port,host:port`
 * (or `rediss+cluster://` for TLS) names seed nodes of a Redis Cluster.
 */
export function parseRedisTarget(url: string): RedisTarget {
  const match = CLUSTER_URL.exec(url);
  if (!match) {
    if (/^[a-z]+\+cluster:/i.test(url)) throw new Error('a cluster REDIS_URL looks like redis+cluster://host:port,host:port');
    return { kind: 'single', url };
  }
  const [, scheme, userinfo, hosts] = match;
  const nodes = hosts!.split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':');
    const host = (at > 0 ? hostPort.slice(0, at) : hostPort).replace(/^\[(.*)\]$/, '$1');
    const port = at > 0 ? Number(hostPort.slice(at + 1)) : 6379;
    if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`not a host:port in the cluster REDIS_URL: ${hostPort}`);
    return { host, port };
  });
  const [user, pass] = userinfo ? userinfo.split(':', 2).map(decodeURIComponent) : [];
  return { kind: 'cluster', nodes, ...(user ? { username: user } : {}), ...(pass ? { password: pass } : {}), tls: scheme === 'rediss' };
}

/** True when the connection is a Redis Cluster client (keys then need hash tags). */
export function isCluster(connection: RedisConnection): connection is Cluster {
  return connection.isCluster;
}

/**
 * Producers fail fast when Redis is down (an HTTP request should get a 503, not
 * hang); workers wait forever per command, as BullMQ requires for blocking calls.
 * A cluster URL gives a Cluster client with the same options on every node.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): RedisConnection {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...extra,
  };
  const target = parseRedisTarget(url);
  if (target.kind === 'single') return new Redis(url, options);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...nodeOptions } = options;
  const nodes: ClusterNode[] = target.nodes;
  return new Cluster(nodes, {
    // Per node; BullMQ reads maxRetriesPerRequest (null for workers) from here.
    redisOptions: {
      ...nodeOptions,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableReadyCheck: true,
    ...(lazyConnect ? { lazyConnect } : {}),
    // Reconnects the whole cluster client (all seeds failed); null from `extra` stops, as for one server.
    clusterRetryStrategy: (times) => (retryStrategy ? retryStrategy(times) : Math.min(times * 200, 5_000)),
    // A failover moves slots: follow MOVED/ASK and refresh the map instead of failing the command.
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 500,
    slotsRefreshTimeout: 2_000,
  });
}
