// bench/sms: 10,000 sends through the sms worker to the sandbox's Twilio (no
// per-sender limit), beside raw BullMQ no-op throughput in the same run.
// Targets: sends/s ≥ 0.25 × no-op jobs/s; the sandbox receives no text twice.
// Run: node --conditions=source --import tsx apps/workers/bench/sms.ts [--count=10000]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, QUEUE_SETTINGS, runWorkers, workerPoolSize } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { createOutboundMessage } from '@fieldhand/sms';
import { smsRole } from '../src/sms/role.js';

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

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

// The vendor in its own process, as it is in reality (remote); it still shares this machine's cores.
async function startSandbox(): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const child = fork(fileURLToPath(new URL('../../sandbox/src/main.ts', import.meta.url)), [], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: { ...process.env, SANDBOX_PORT: String(port), SANDBOX_SIZE: '0', SANDBOX_LOG_LEVEL: 'warn', SANDBOX_TWILIO_STATUS_STEP_MS: '60000' },
  });
  process.on('exit', () => child.kill());
  const ready = await Promise.race([once(child, 'message').then(() => true), once(child, 'exit').then(() => false)]);
  if (!ready) throw new Error('the sandbox process exited before it was ready');
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

// Status callbacks land here and are acknowledged; the bench measures sending.
const callbacks = createServer((_req, res) => res.writeHead(204).end());
await new Promise<void>((r) => callbacks.listen(0, '127.0.0.1', r));
const callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`;
const sandbox = await startSandbox();
await fetch(`${sandbox.url}/_sandbox/accounts`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: `${callbackUrl}/sms` }] } }),
});

const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, TWILIO_API_URL: `${sandbox.url}/twilio`, PUBLIC_BASE_URL: callbackUrl, SMS_SEGMENTS_PER_SECOND: '0' });
const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
const tenant = await createTenant(t.db, {
  name: 'Bench HVAC',
  timezone: 'America/Chicago',
  twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, sendWindow: { start: '00:00', end: '23:59' } },
});

const noop = await noopJobsPerSecond();

for (let i = 0; i < COUNT; i += 200) {
  await Promise.all(
    Array.from({ length: Math.min(200, COUNT - i) }, (_, k) =>
      createOutboundMessage(t.db, bus, { tenantId: tenant.id, to: `+1512500${String((i + k) % 10_000).padStart(4, '0')}`, body: `Bench text ${i + k}`, idempotencyKey: `bench-${i + k}` }, logger),
    ),
  );
}

// The worker's own pool and handlers, as the sms role has them in production.
const db = createDatabase({ url: t.url, max: workerPoolSize(smsRole.queues, config.database.DATABASE_POOL_MAX), applicationName: 'fieldhand-sms' });
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const loopAtStart = performance.eventLoopUtilization();
const workers = runWorkers({
  role: 'sms',
  queues: smsRole.queues,
  handlers: smsRole.handlers({ config, db, bus, logger }),
  bus,
  db,
  connection: redis.connect('worker'),
  logger,
});
for (;;) {
  const { rows } = await t.db.execute<{ pending: number }>(sql`select count(*)::int as pending from messages where tenant_id = ${tenant.id} and status in ('queued', 'sending')`);
  if (rows[0]!.pending === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const sends = COUNT / ((performance.now() - started) / 1000);
const cpu = process.cpuUsage(cpuAtStart);
const loop = performance.eventLoopUtilization(loopAtStart);
await workers.close(5_000);

const atSandbox = (await (await fetch(`${sandbox.url}/_sandbox/twilio/messages`)).json()) as Array<{ body: string; from: string }>;
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
await closeDatabase(db);
await sandbox.close();
callbacks.close();
await redis.cleanup();
await t.drop();
process.exit(ok ? 0 : 1);
