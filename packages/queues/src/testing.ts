import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis, isCluster, type RedisConnection } from './redis.js';

export type TestRedis = {
  url: string;
  /** A key prefix no other test file uses. */
  prefix: string;
  connect: (role?: 'producer' | 'worker') => Redis;
  /** Closes connections made here and deletes every key under the prefix. */
  cleanup: () => Promise<void>;
};

// The shared test Redis is one server: cleanup SCANs its one keyspace.
function oneServer(connection: RedisConnection): Redis {
  if (isCluster(connection)) throw new Error('TEST_REDIS_URL must name one Redis server, not a cluster');
  return connection;
}

export function createTestRedis(): TestRedis {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `fh-test-${randomBytes(6).toString('hex')}`;
  const opened: Redis[] = [];
  return {
    url,
    prefix,
    connect: (role = 'worker') => {
      const redis = oneServer(createRedis(url, role));
      opened.push(redis);
      return redis;
    },
    cleanup: async () => {
      const redis = oneServer(createRedis(url, 'worker'));
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await Promise.all([...opened, redis].map((r) => r.quit().catch(() => undefined)));
    },
  };
}

export type PrivateRedis = {
  url: string;
  /** Stops the server (SIGKILL: an outage, not a shutdown). */
  stop: () => Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start: () => Promise<void>;
};

/**
 * A redis-server of the test's own, for tests that stop Redis: the shared one
 * must never be disturbed.
 */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const client = createRedis(url, 'worker');
    client.on('error', () => undefined);
    await client.ping();
    client.disconnect();
  };
  await start();
  return {
    url,
    start,
    stop: async () => {
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc!.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export type PrivateRedisCluster = {
  /** `redis+cluster://127.0.0.1:P1,…`: what REDIS_URL holds for a cluster. */
  url: string;
  ports: number[];
  /** Kills every node and removes their files. */
  stop: () => Promise<void>;
};

/**
 * A Redis Cluster of `primaries` nodes (no replicas, no persistence) on loopback ports of
 * its own, ready (`cluster_state:ok` on every node) when this resolves.
 */
export async function startPrivateRedisCluster(primaries = 3): Promise<PrivateRedisCluster> {
  const { spawn, execFile } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { promisify } = await import('node:util');
  const dir = await mkdtemp(join(tmpdir(), 'fh-redis-cluster-'));
  const procs: Array<ReturnType<typeof spawn>> = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      procs.map(async (proc) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  const ask = async (port: number, ...command: string[]) => {
    const { Redis } = await import('ioredis');
    const node = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    node.on('error', () => undefined);
    try {
      return String(await node.call(command[0]!, ...command.slice(1)));
    } finally {
      node.disconnect();
    }
  };
  const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`redis cluster: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    for (let i = 0; i < primaries; i++) {
      const port = await freePort();
      ports.push(port);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
      procs.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of ports) await until(`node ${port}`, async () => (await ask(port, 'PING')) === 'PONG');
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await promisify(execFile)('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) await until(`cluster_state:ok on ${port}`, async () => (await ask(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, ports, stop };
}
