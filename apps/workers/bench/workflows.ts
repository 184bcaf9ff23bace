// bench/workflows: N qualifying estimates synced at once (their estimate.created
// events enqueued together), each run `send_sms → wait PT10S → send_sms`, through the
// workflows and sms roles to the sandbox's Twilio, no per-sender limit.
// Prints trigger-to-first-text and wait lateness (second text − first text − 10 s)
// p50/p99 and totals. Targets: lateness p99 ≤ 2 s, no duplicate, no lost run.
// Run: node --conditions=source --import tsx apps/workers/bench/workflows.ts [--count=10000]
import { sql } from 'drizzle-orm';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant, setWorkflowDefinitionEnabled } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, runWorkers } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { saveDefinition } from '@fieldhand/workflows';
import { createSandbox } from '../../sandbox/src/index.js';
import type { RoleDefinition } from '../src/bootstrap/role.js';
import { smsRole } from '../src/sms/role.js';
import { workflowsRole } from '../src/workflows/role.js';
import { emitEstimatesCreated, seedEstimates, textsAtSandbox, twoTextFollowUp, wrongTexts, type LoadEstimate } from '../test/support/workflow-load.js';

const COUNT = Number(process.argv.find((a) => a.startsWith('--count='))?.split('=')[1] ?? 10_000);
const WAIT_MS = 10_000;
// The sandbox keeps 10,000 texts per account: one tenant (account) per 4,000 runs.
const PER_TENANT = 4_000;
const logger = createLogger({ name: 'bench-workflows', level: 'warn' });

const t = await createTestDatabase();
const redis = createTestRedis();
const sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 600_000 }).listen(0);
const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, TWILIO_API_URL: `${sandbox.url}/twilio`, PUBLIC_BASE_URL: 'http://127.0.0.1:9', SMS_SEGMENTS_PER_SECOND: '0' });
const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);

type Shard = { tenantId: string; sender: string; estimates: LoadEstimate[] };
const shards: Shard[] = [];
for (let i = 0; i * PER_TENANT < COUNT; i++) {
  const n = Math.min(PER_TENANT, COUNT - i * PER_TENANT);
  const sender = `+1737200${String(5000 + i).padStart(4, '0')}`;
  const accountSid = `AC${String(i).padStart(2, '0')}${'9'.repeat(30)}`;
  const authToken = `bench-workflows-token-${i}-0123456789`;
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid, authToken, numbers: [{ phoneNumber: sender, smsUrl: 'http://127.0.0.1:9/sms' }] } }),
  });
  const tenant = await createTenant(t.db, { name: `Bench HVAC ${i}`, timezone: 'America/Chicago', twilio: { from: sender, accountSid, authToken, sendWindow: { start: '00:00', end: '23:59' } } });
  await saveDefinition(t.db, tenant.id, twoTextFollowUp('bench-follow-up', 'PT10S'));
  await setWorkflowDefinitionEnabled(t.db, tenant.id, 'bench-follow-up', true);
  shards.push({ tenantId: tenant.id, sender, estimates: await seedEstimates(t.db, tenant.id, n, 1_000_000 + i * 3 * PER_TENANT, 4_000_000 + i * PER_TENANT) });
}

// The two roles as their PM2 processes run them, each with its own pool.
const pools = [smsRole, workflowsRole].map((role) => createDatabase({ url: t.url, max: 10, applicationName: `bench-${role.name}` }));
const running = ([smsRole, workflowsRole] as RoleDefinition[]).map((role, i) =>
  runWorkers({ role: role.name, queues: role.queues, handlers: role.handlers({ config, db: pools[i]!, bus, logger }), bus, db: pools[i]!, connection: redis.connect('worker'), logger }),
);

const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;
const triggeredAt = Date.now();
for (const shard of shards) await emitEstimatesCreated(bus, shard.tenantId, shard.estimates);
console.info(`${COUNT} estimate.created events enqueued in ${Date.now() - triggeredAt} ms`);

const deadline = Date.now() + 15 * 60_000;
for (;;) {
  const completed = await count(sql`select count(*)::int as n from workflow_instances where status = 'completed'`);
  const open = await count(sql`select count(*)::int as n from messages where status in ('queued', 'sending')`);
  if (completed === COUNT && open === 0) break;
  if (Date.now() > deadline) {
    console.error(`gave up after 15 minutes: ${completed}/${COUNT} runs completed, ${open} texts open`);
    break;
  }
  await new Promise((r) => setTimeout(r, 1_000));
}
const elapsedMs = Date.now() - triggeredAt;

// When the ledger recorded Twilio's acceptance of each run's texts.
const { rows } = await t.db.execute<{ key: string; accepted: string | null }>(
  sql`select idempotency_key as key, (select e->>'at' from jsonb_array_elements(status_history) e where e->>'status' = 'accepted' limit 1) as accepted from messages where idempotency_key like 'wf:%'`,
);
const sentAt = new Map(rows.filter((r) => r.accepted).map((r) => [r.key, Date.parse(r.accepted!)]));
const { rows: runs } = await t.db.execute<{ id: string; status: string }>(sql`select id, status from workflow_instances`);
const toFirst: number[] = [];
const lateness: number[] = [];
for (const run of runs) {
  const first = sentAt.get(`wf:${run.id}:text-1`);
  const second = sentAt.get(`wf:${run.id}:text-2`);
  if (first !== undefined) toFirst.push(first - triggeredAt);
  if (first !== undefined && second !== undefined) lateness.push(second - first - WAIT_MS);
}
const texts = (await Promise.all(shards.map((s) => textsAtSandbox(sandbox.url, s.sender)))).flat();
const wrong = shards.flatMap((s) => wrongTexts(s.estimates, texts.filter((m) => m.from === s.sender)));
const duplicated = wrong.filter((w) => w.first > 1 || w.second > 1).length;
const lost = COUNT - runs.filter((r) => r.status === 'completed').length + wrong.filter((w) => w.first === 0 || w.second === 0).length;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.info(`runs: ${COUNT} (${runs.length} started, ${runs.filter((r) => r.status === 'completed').length} completed) in ${s(elapsedMs)}; texts at the sandbox: ${texts.length} of ${2 * COUNT}`);
console.info(`trigger → first text: p50 ${s(pct(toFirst, 50))}, p99 ${s(pct(toFirst, 99))}, max ${s(Math.max(...toFirst))}`);
console.info(`wait lateness (second − first − 10 s): p50 ${s(pct(lateness, 50))}, p99 ${s(pct(lateness, 99))}, max ${s(Math.max(...lateness))}`);
console.info(`duplicates: ${duplicated} phones; lost: ${lost}`);

const misses = [
  ...(pct(lateness, 99) > 2_000 ? [`lateness p99 ${s(pct(lateness, 99))} > 2 s`] : []),
  ...(duplicated > 0 ? [`${duplicated} phones texted twice`] : []),
  ...(lost > 0 ? [`${lost} runs or texts lost`] : []),
];
await Promise.all(running.map((w) => w.close(5_000)));
await bus.close();
await Promise.all(pools.map((db) => closeDatabase(db)));
await sandbox.close();
await redis.cleanup();
await t.drop();
if (misses.length > 0) {
  console.error(`MISSED: ${misses.join('; ')}`);
  process.exit(1);
}
console.info('targets met');
process.exit(0);
