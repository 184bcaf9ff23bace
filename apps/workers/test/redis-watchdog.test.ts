import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@fieldhand/observability';
import { createRedis } from '@fieldhand/queues';
import { startPrivateRedis } from '@fieldhand/queues/testing';
import { watchRedis } from '../src/bootstrap/redis-watchdog.js';

// Connection errors are the point of these tests; keep them out of the output.
function quiet(...emitters: Array<{ on: (event: 'error', fn: () => void) => unknown }>): void {
  for (const e of emitters) e.on('error', () => undefined);
}

const logger = createLogger({ name: 'watchdog-test', level: 'silent' });
let cleanup: Array<() => Promise<unknown> | unknown> = [];
// Closing a BullMQ worker whose Redis is gone can wait forever; bound every step.
afterEach(async () => {
  for (const fn of cleanup.reverse()) await Promise.race([fn(), new Promise((r) => setTimeout(r, 2_000))]);
  cleanup = [];
});

describe('redis watchdog', () => {
  it('exits the process for a PM2 restart when Redis stays down past the bound', async () => {
    const redis = await startPrivateRedis();
    cleanup.push(() => redis.stop());
    const connection = createRedis(redis.url, 'worker');
    const worker = new Worker('q', async () => undefined, { connection, prefix: 'watchdog' });
    quiet(connection, worker);
    cleanup.push(() => worker.close(true), () => connection.disconnect());
    await worker.waitUntilReady();

    const exits: number[] = [];
    const stop = watchRedis(connection, [worker], logger, 1_500, (code) => exits.push(code));
    cleanup.push(stop);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(exits).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(exits).toEqual([1]);
  });

  it('stays up when Redis returns within the bound', async () => {
    const redis = await startPrivateRedis();
    const connection = createRedis(redis.url, 'worker');
    const worker = new Worker('q', async () => undefined, { connection, prefix: 'watchdog' });
    quiet(connection, worker);
    await worker.waitUntilReady();
    const exits: number[] = [];
    const stop = watchRedis(connection, [worker], logger, 4_000, (code) => exits.push(code));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await redis.start();
    cleanup.push(() => redis.stop(), () => connection.disconnect(), () => worker.close(true), stop);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(exits).toEqual([]);
    expect(connection.status).toBe('ready');
  }, 15_000);
});
