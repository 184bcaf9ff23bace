// bench/sms: 10,000 sends through the sms worker to the sandbox's Twilio (no per-sender
// limit), beside the cheapest correct sender (honest-sender.ts: claim + consent in one round
// trip, the POST over keep-alive, the SID recorded) draining 10,000 more in the same run,
// against the same sandbox process. Prints both rates, the ratio, and the CPU milliseconds per
// send of each of our processes (the worker, its PostgreSQL backends, Redis: read from /proc),
// the sandbox's apart. Targets: ratio ≥ 0.6, our CPU per send ≤ 1.2 ms, 0 duplicates.
// Run: node --conditions=source --import tsx apps/workers/bench/sms.ts [--count=10000]
import { sql } from 'drizzle-orm';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, QUEUE_SETTINGS, workerPoolSize } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { smsRole } from '../src/sms/role.js';
import { honestSender } from './honest-sender.js';
import { addSandboxAccount, backendPids, cpuMsOf, createPlainTexts, drainPlainSends, redisPid, sandboxTexts, startCallbackSink, startSandbox } from './support.js';

const COUNT = Number(process.argv.find((a) => a.startsWith('--count='))?.split('=')[1] ?? 10_000);
const CONCURRENCY = QUEUE_SETTINGS['sms-send'].concurrency;
const SENDER = '+17372004055';
const ANCHOR_SENDER = '+17372004056';
const ACCOUNT_SID = `AC${'6'.repeat(32)}`;
const ANCHOR_SID = `AC${'7'.repeat(32)}`;
const AUTH_TOKEN = 'bench-sms-auth-token-0123456789';
const logger = createLogger({ name: 'bench-sms', level: 'warn' });
// The sandbox keeps the last 10,000 texts per account: more could not all be checked for duplicates.
if (COUNT > 10_000) throw new Error('--count above 10000 cannot be checked: the sandbox keeps 10,000 texts per account');

const t = await createTestDatabase();
const redis = createTestRedis();

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

const redisServer = await redisPid(redis);
type Cpu = { worker: number; postgres: number; redis: number; sandbox: number };
const perSend = (c: Cpu) => ({ worker: c.worker / COUNT, postgres: c.postgres / COUNT, redis: c.redis / COUNT, ours: (c.worker + c.postgres + c.redis) / COUNT, sandbox: c.sandbox / COUNT });

// The product: the ledger rows and their send jobs first, then the sms role's workers drain them.
await createPlainTexts(t.db, bus, tenant.id, COUNT, logger);
let productPg = 0;
const productStart = { redis: cpuMsOf(redisServer), sandbox: cpuMsOf(sandbox.pid) };
const product = await drainPlainSends({
  db: t.db, config, bus, redis, logger, tenantIds: [tenant.id], count: COUNT,
  // Its pool's backends, read before the pool closes (they were opened for this drain).
  beforeClose: async () => {
    productPg = (await backendPids(t.db, 'fieldhand-sms')).reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  },
});
const productCpu: Cpu = { worker: (product.cpu.user + product.cpu.system) / 1000, postgres: productPg, redis: cpuMsOf(redisServer) - productStart.redis, sandbox: cpuMsOf(sandbox.pid) - productStart.sandbox };

// The anchor: its own tenant, rows written by plain SQL, jobs by addBulk, then its worker drains them.
await addSandboxAccount(sandbox.url, { accountSid: ANCHOR_SID, authToken: AUTH_TOKEN, sender: ANCHOR_SENDER, smsUrl: `${callbackUrl}/sms` });
const anchorTenant = await createTenant(t.db, { name: 'Bench Anchor HVAC', timezone: 'America/Chicago', twilio: { from: ANCHOR_SENDER } });
const { rows: anchorRows } = await t.db.execute<{ id: string }>(sql`
  insert into messages (tenant_id, direction, "to", body, status, segments, idempotency_key)
  select ${anchorTenant.id}, 'outbound', '+1512600' || lpad((g % 10000)::text, 4, '0'), 'Anchor text ' || g, 'queued', 1, 'anchor-' || g from generate_series(0, ${COUNT - 1}) g
  returning id`);
const anchorDb = createDatabase({ url: t.url, max: workerPoolSize(smsRole.queues, config.database.DATABASE_POOL_MAX), applicationName: 'honest-sender' });
const anchor = honestSender({ db: anchorDb, redis, concurrency: CONCURRENCY, twilioUrl: `${sandbox.url}/twilio`, accountSid: ANCHOR_SID, authToken: AUTH_TOKEN, from: ANCHOR_SENDER, statusCallback: `${callbackUrl}/status` });
await anchor.enqueue(anchorRows.map((r) => r.id));
const anchorStart = { cpu: process.cpuUsage(), redis: cpuMsOf(redisServer), sandbox: cpuMsOf(sandbox.pid) };
const anchorSeconds = await anchor.drain(COUNT);
const anchorWorker = process.cpuUsage(anchorStart.cpu);
const anchorCpu: Cpu = {
  worker: (anchorWorker.user + anchorWorker.system) / 1000,
  postgres: (await backendPids(t.db, 'honest-sender')).reduce((sum, pid) => sum + cpuMsOf(pid), 0),
  redis: cpuMsOf(redisServer) - anchorStart.redis,
  sandbox: cpuMsOf(sandbox.pid) - anchorStart.sandbox,
};
await anchor.close();
await closeDatabase(anchorDb);
const anchorRate = COUNT / anchorSeconds;

const atSandbox = await sandboxTexts(sandbox.url);
const duplicatesOf = (from: string) => {
  const bodies = atSandbox.filter((m) => m.from === from).map((m) => m.body);
  return { received: bodies.length, duplicates: bodies.length - new Set(bodies).size };
};
const ours = duplicatesOf(SENDER);
const theirs = duplicatesOf(ANCHOR_SENDER);
const ratio = product.sendsPerSecond / anchorRate;
const p = perSend(productCpu);
const a = perSend(anchorCpu);
const ms = (v: number) => v.toFixed(2).padStart(5);
console.log(`\nbench/sms — ${COUNT} texts each, worker concurrency ${CONCURRENCY}, the sandbox in its own process`);
console.log(`honest sender (anchor)  ${anchorRate.toFixed(0).padStart(6)} sends/s   (sandbox received ${theirs.received}, duplicates ${theirs.duplicates})`);
console.log(`Fieldhand sms worker    ${product.sendsPerSecond.toFixed(0).padStart(6)} sends/s   (sandbox received ${ours.received}, duplicates ${ours.duplicates})`);
console.log('CPU ms per send          worker  postgres  redis   ours | sandbox');
console.log(`  honest sender          ${ms(a.worker)}   ${ms(a.postgres)}  ${ms(a.redis)}  ${ms(a.ours)} | ${ms(a.sandbox)}`);
console.log(`  Fieldhand              ${ms(p.worker)}   ${ms(p.postgres)}  ${ms(p.redis)}  ${ms(p.ours)} | ${ms(p.sandbox)}`);
console.log(`ratio ${ratio.toFixed(2)} (target ≥ 0.6); our CPU per send ${p.ours.toFixed(2)} ms (target ≤ 1.2)`);
const ok = ratio >= 0.6 && p.ours <= 1.2 && ours.duplicates === 0 && ours.received === COUNT && theirs.received === COUNT;
console.log(ok ? 'PASS' : 'MISS');

await bus.close();
await sandbox.close();
callbacks.close();
await redis.cleanup();
await t.drop();
process.exit(ok ? 0 : 1);
