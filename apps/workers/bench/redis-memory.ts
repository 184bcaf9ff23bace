// bench/redis-memory: what 10,000 waiting jobs cost Redis, for sizing (docs/scaling.md). Adds
// 10,000 jobs of the product's commonest kinds through the JobBus on a private Redis (so
// nothing else moves its memory) and prints used_memory before and after, per kind: a send
// waiting, a reminder's fire job delayed for days, an event to deliver, and a completed job
// kept for its queue's retention.
// Run: node --conditions=source --import tsx apps/workers/bench/redis-memory.ts [--count=10000]
import { randomUUID } from 'node:crypto';
import { createRedis, jobCatalog, JobBus } from '@fieldhand/queues';
import { startPrivateRedis } from '@fieldhand/queues/testing';

const COUNT = Number(process.argv.find((a) => a.startsWith('--count='))?.split('=')[1] ?? 10_000);
const redis = await startPrivateRedis();
const connection = createRedis(redis.url, 'worker');
const bus = new JobBus(jobCatalog, connection, 'fieldhand');
const tenantId = randomUUID();

const usedMemory = async () => {
  const info = await connection.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
};

async function measure(kind: string, add: (i: number) => Promise<unknown>): Promise<void> {
  const before = await usedMemory();
  for (let i = 0; i < COUNT; i += 500) await Promise.all(Array.from({ length: Math.min(500, COUNT - i) }, (_, k) => add(i + k)));
  const after = await usedMemory();
  const perJob = (after - before) / COUNT;
  console.log(`${kind.padEnd(48)} ${((after - before) / 1024 / 1024).toFixed(1).padStart(6)} MiB per ${COUNT}   ${perJob.toFixed(0).padStart(5)} bytes per job`);
}

console.log(`\nbench/redis-memory — ${COUNT} jobs per kind, Redis ${(await connection.info('server')).match(/redis_version:(\S+)/)?.[1]}`);
await measure('sms.send waiting', (i) => bus.enqueue('sms.send', { tenantId, messageId: randomUUID() }, { jobId: `sms-send-bench-${i}` }));
await measure('reminders.fire delayed (3 days)', (i) => bus.enqueue('reminders.fire', { tenantId, reminderId: randomUUID() }, { jobId: `rem-bench-${i}`, delay: 3 * 24 * 3_600_000 }));
await measure('events.publish waiting (a reply, 200-char body)', (i) =>
  bus.enqueue('events.publish', { tenantId, id: `evt-bench-${i}`, type: 'message.received', timestamp: new Date().toISOString(), data: { messageId: randomUUID(), phone: '+15125550100', from: '+15125550100', to: '+15125550199', body: 'x'.repeat(200) } }),
);
await connection.quit();
await bus.close();
await redis.stop();
