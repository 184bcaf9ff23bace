// bench/sms: 10,000 sends through the sms worker to the sandbox's Twilio (no
// per-sender limit), beside raw BullMQ no-op throughput in the same run.
// Targets: sends/s ≥ 0.25 × no-op jobs/s; the sandbox receives no text twice.
// Run: node --conditions=source --import tsx apps/workers/bench/sms.ts [--count=10000]
import { Queue, Worker } from 'bullmq';
import { loadConfig } from '@fieldhand/config';
import { createTenant } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, QUEUE_SETTINGS } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { addSandboxAccount, createPlainTexts, drainPlainSends, sandboxTexts, startCallbackSink, startSandbox } from './support.js';

const COUNT = Number(process.argv.find((a) => a.startsWith('--count='))?.split('=')[1] ?? 10_000);
const CONCURRENCY = QUEUE_SETTINGS['sms-send'].concurrency;
const SENDER = '+17372004055';
const ACCOUNT_SID = `AC${'6'.repeat(32)}`;
const AUTH_TOKEN = 'bench-sms-auth-token-0123456789';
const logger = createLogger({ name: 'bench-sms', level: 'warn' });
// The sandbox keeps the last 10,000 texts per account: more could not all be checked for duplicates.
if (COUNT > 10_000) throw new Error('--count above 10000 cannot be checked: the sandbox keeps 10,000 texts per account');

const t = await createTestDatabase();
const redis = createTestRedis();

// Baseline: the same number of BullMQ jobs with a handler that does nothing, same concurrency.
async function noopJobsPerSecond(): Promise<number> {
  const queue = new Queue('noop', { connection: redis.connect('producer'), prefix: redis.prefix });
  await queue.addBulk(Array.from({ length: COUNT }, (_, i) => ({ name: 'noop', data: { i } })));
  let done = 0;
  const started = performance.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('noop', async () => undefined, { connection: redis.connect('worker'), prefix: redis.prefix, concurrency: CONCURRENCY });
    worker.on('completed', () => {
      if (++done === COUNT) void worker.close().then(() => resolve());
    });
  });
  await finished;
  await queue.close();
  return COUNT / ((performance.now() - started) / 1000);
}

const callbacks = await startCallbackSink();
const callbackUrl = callbacks.url;
const sandbox = await startSandbox();
await addSandboxAccount(sandbox.url, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, sender: SENDER, smsUrl: `${callbackUrl}/sms` });

const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, TWILIO_API_URL: `${sandbox.url}/twilio`, PUBLIC_BASE_URL: callbackUrl, SMS_SEGMENTS_PER_SECOND: '0' });
const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
const tenant = await createTenant(t.db, {
  name: 'Bench HVAC',
  timezone: 'America/Chicago',
  twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, sendWindow: { start: '00:00', end: '23:59' } },
});

const noop = await noopJobsPerSecond();

await createPlainTexts(t.db, bus, tenant.id, COUNT, logger);

// The worker's own pool and handlers, as the sms role has them in production.
const { sendsPerSecond: sends, cpu, loop } = await drainPlainSends({ db: t.db, config, bus, redis, logger, tenantIds: [tenant.id], count: COUNT });

const atSandbox = await sandboxTexts(sandbox.url);
const bodies = atSandbox.filter((m) => m.from === SENDER).map((m) => m.body);
const duplicates = bodies.length - new Set(bodies).size;
const ratio = sends / noop;
console.log(`\nbench/sms — ${COUNT} messages, worker concurrency ${CONCURRENCY}, one worker process (the sandbox in its own)`);
console.log(`raw BullMQ no-op jobs  ${noop.toFixed(0).padStart(6)} jobs/s`);
console.log(`sms sends to sandbox   ${sends.toFixed(0).padStart(6)} sends/s   (sandbox received ${bodies.length}, duplicates ${duplicates})`);
// Where a send's time goes: this process (worker + BullMQ) is one of four sharing the cores.
console.log(`send phase: this process ${((cpu.user + cpu.system) / COUNT).toFixed(0)} µs CPU per send, event loop ${(loop.utilization * 100).toFixed(0)}% busy`);
console.log(`ratio ${ratio.toFixed(2)} (target ≥ 0.25)`);
const ok = ratio >= 0.25 && duplicates === 0 && bodies.length === COUNT;
console.log(ok ? 'PASS' : 'MISS');

await bus.close();
await sandbox.close();
callbacks.close();
await redis.cleanup();
await t.drop();
process.exit(ok ? 0 : 1);
