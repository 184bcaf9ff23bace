// A worker role as its own OS process (its entry file, apps/workers/src/<role>.ts, run from
// source), so a test can kill it with SIGKILL and start it again as PM2 would.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TEST_ENCRYPTION_KEY } from '@fieldhand/db/testing';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

export type RoleProcess = {
  readonly pid: number;
  /** Everything it wrote to stdout and stderr, for a failure's message. */
  output: () => string;
  /** SIGKILL, no shutdown: its active jobs stay locked in Redis until their locks expire. */
  kill9: () => Promise<void>;
  /** SIGTERM and wait for the graceful shutdown. */
  stop: () => Promise<void>;
};

/** What every role process of a test runs with; `extra` adds the role's own settings (vendor URLs, webhook settings). */
export function roleEnv(base: { databaseUrl: string; redisUrl: string; queuePrefix?: string; lockMs?: number }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: base.databaseUrl,
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: base.queuePrefix ?? 'fh',
    FIELDHAND_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    FIELDHAND_ENCRYPTION_PREVIOUS_KEYS: '',
    LOG_LEVEL: 'warn',
    // The test (or its in-process maintenance role) enqueues what the schedulers would.
    SCHEDULER_OWNER: 'false',
    // A killed worker's jobs come back after this (BullMQ's stalled check runs at half of it).
    JOB_LOCK_DURATION_MS: String(base.lockMs ?? 4_000),
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...extra,
  };
}

/**
 * Starts `apps/workers/src/<role>.ts` with `env` on top of this process's environment and
 * resolves once the bootstrap reported `ready` (workers running), or rejects when it exits first.
 */
export async function startRoleProcess(role: string, env: Record<string, string>, timeoutMs = 30_000): Promise<RoleProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL(`../../src/${role}.ts`, import.meta.url)), [], {
    cwd: ROOT,
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  exited.catch(() => undefined);
  const ready = await Promise.race([
    // Libraries may talk over the same channel (@pm2/io does under PM2): wait for our 'ready'.
    new Promise<true>((resolve) => child.on('message', (message) => message === 'ready' && resolve(true))),
    exited.then(() => false),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
  ]);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`worker role ${role} did not start:\n${output}`);
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return { pid: child.pid!, output: () => output, kill9: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM') };
}
