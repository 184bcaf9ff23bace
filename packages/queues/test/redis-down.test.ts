import { describe, expect, it } from 'vitest';
import { createRedis, jobCatalog, JobBus, QueueUnavailableError } from '../src/index.js';
import { startPrivateRedis } from '../src/testing.js';

describe('enqueue while Redis is down', () => {
  it('rejects the call and leaves no unhandled rejection behind (which would kill the API)', async () => {
    const redis = await startPrivateRedis();
    await redis.stop();
    const producer = createRedis(redis.url, 'producer');
    producer.on('error', () => undefined);
    const errors: string[] = [];
    const bus = new JobBus(jobCatalog, producer, 'down-test', (_err, queue) => errors.push(queue));
    const started = Date.now();
    await expect(bus.enqueue('maintenance.probe', { tenantId: null, probeId: 'x' })).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
    // A queue made while Redis is down fails its background initialisation too; that must
    // reach the error callback, not become an unhandled rejection (vitest fails the run on one).
    bus.queue('sync');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(errors).toContain('sync');
    producer.disconnect();
  });
});
