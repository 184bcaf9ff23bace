import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@fieldhand/observability';
import { createRedis } from '@fieldhand/queues';
import { watchRedis } from '../src/bootstrap/redis-watchdog.js';

// A private Redis the test can stop, so the shared one is never disturbed.
async function startPrivateRedis(): Promise<{ port: number; proc: ChildProcess }> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = createRedis(`redis://127.0.0.1:${port}`, 'worker');
  await probe.ping();
  probe.disconnect();
  return { port, proc };
}

// Connection errors are the point of these tests; keep them out of the output.
function quiet(...emitters: Array<{ on: (event: 'error', fn: () => void) => unknown }>): void {
  for (const e of emitters) e.on('error', () => undefined);
}

const logger = createLogger({ name: 'watchdog-test', level: 'silent' });
let cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

describe('redis watchdog', () => {
  it('exits the process for a PM2 restart when Redis stays down past the bound', async () => {
    const redis = await startPrivateRedis();
    cleanup.push(() => redis.proc.kill('SIGKILL'));
    const connection = createRedis(`redis://127.0.0.1:${redis.port}`, 'worker');
    const worker = new Worker('q', async () => undefined, { connection, prefix: 'watchdog' });
    quiet(connection, worker);
    cleanup.push(() => worker.close(true), () => connection.disconnect());
    await worker.waitUntilReady();

    const exits: number[] = [];
    const stop = watchRedis(connection, [worker], logger, 1_500, (code) => exits.push(code));
    cleanup.push(stop);
    redis.proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(exits).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(exits).toEqual([1]);
  });

  it('stays up when Redis returns within the bound', async () => {
    const redis = await startPrivateRedis();
    const connection = createRedis(`redis://127.0.0.1:${redis.port}`, 'worker');
    const worker = new Worker('q', async () => undefined, { connection, prefix: 'watchdog' });
    quiet(connection, worker);
    await worker.waitUntilReady();
    const exits: number[] = [];
    const stop = watchRedis(connection, [worker], logger, 4_000, (code) => exits.push(code));
    redis.proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const again = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    cleanup.push(() => again.kill('SIGKILL'), () => connection.disconnect(), () => worker.close(true), stop);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(exits).toEqual([]);
    expect(connection.status).toBe('ready');
  }, 15_000);
});
