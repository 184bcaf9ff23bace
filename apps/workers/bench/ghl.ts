// bench/ghl: a full GHL contacts sync of 50,000 contacts by the sync role (its own
// process) against the sandbox (its own process) with GHL's limit on: 100 requests per
// 10 s per location. Beside it, the limit's ceiling: max × page size / interval, the most
// contacts/s any client could read (and the budget's own, with its margin of 5 unused).
// Target: contacts/s ≥ 0.9 × the ceiling; also requests sent and 429s the sandbox answered.
// Run: node --conditions=source --import tsx apps/workers/bench/ghl.ts [--contacts=50000]
//      (smoke: --contacts=5000)
import { sql } from 'drizzle-orm';
import { createTenant, findSyncRuns } from '@fieldhand/db';
import { createTestDatabase, TEST_ENCRYPTION_KEY } from '@fieldhand/db/testing';
import { GHL_LIMITS, GHL_SYNC_DEFAULTS } from '@fieldhand/ghl';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { startRoleProcess } from '../test/support/role-process.js';
import { startSandbox } from './support.js';

const CONTACTS = Number(process.argv.find((a) => a.startsWith('--contacts='))?.split('=')[1] ?? 50_000);
const LOCATION = { locationId: 'sbxBenchGhlLocation1', token: 'pit-bench-ghl-token' };
// The sandbox's GHL limit (its default, GHL's published one) and the page size the sync role reads with.
const LIMIT = { max: 100, intervalMs: 10_000 };
const PAGE = GHL_SYNC_DEFAULTS.contactsPageLimit;

const t = await createTestDatabase();
const redis = createTestRedis();
const sandbox = await startSandbox();
const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
let worker: Awaited<ReturnType<typeof startRoleProcess>> | undefined;
let ok = false;
try {
  const seeded = performance.now();
  const created = await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 42, size: 0, ghl: { ...LOCATION, contacts: CONTACTS } }),
  });
  if (created.status !== 201) throw new Error(`sandbox account: ${created.status} ${await created.text()}`);
  const seedMs = performance.now() - seeded;
  const tenant = await createTenant(t.db, { name: 'Bench GHL', timezone: 'America/Chicago', ghl: LOCATION });
  worker = await startRoleProcess('sync', {
    NODE_ENV: 'production',
    DATABASE_URL: t.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    FIELDHAND_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    FIELDHAND_ENCRYPTION_PREVIOUS_KEYS: '',
    GHL_API_URL: `${sandbox.url}/ghl`,
    LOG_LEVEL: 'warn',
    SCHEDULER_OWNER: 'false',
  });

  const started = performance.now();
  await bus.enqueue('sync.start', { tenantId: tenant.id, source: 'ghl', modules: ['contacts'], full: true });
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const { rows } = await t.db.execute<{ done: number }>(sql`select count(*)::int as done from sync_state where tenant_id = ${tenant.id} and module = 'contacts' and run_id is null`);
    if (rows[0]!.done === 1) break;
  }
  const seconds = (performance.now() - started) / 1000;

  const [run] = await findSyncRuns(t.db, tenant.id);
  const { rows } = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from ghl_contacts where tenant_id = ${tenant.id}`);
  const requests = (await (await fetch(`${sandbox.url}/_sandbox/ghl/locations/${LOCATION.locationId}/requests`)).json()) as { count: number; rejected: number; maxInAnyWindow: number };
  const rate = rows[0]!.n / seconds;
  const ceiling = (LIMIT.max * PAGE) / (LIMIT.intervalMs / 1000);
  const budgetCeiling = ((LIMIT.max - GHL_LIMITS.margin) * PAGE) / (LIMIT.intervalMs / 1000);
  // A pass of n requests needs at least (⌈n / (max − margin)⌉ − 1) whole intervals before its last window opens.
  const windows = Math.ceil(requests.count / (LIMIT.max - GHL_LIMITS.margin)) - 1;
  const ratio = rate / ceiling;
  console.log(`\nbench/ghl — ${CONTACTS} contacts, ${PAGE} a page, the sandbox's limit ${LIMIT.max} per ${LIMIT.intervalMs / 1000} s (budget margin ${GHL_LIMITS.margin}); sync role and sandbox each in its own process`);
  console.log(`sandbox seeded in ${(seedMs / 1000).toFixed(1)} s`);
  console.log(`sync:     ${rows[0]!.n} contacts in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} contacts/s (run ${run?.status}, ${run?.pages} pages, ${run?.inserted} inserted)`);
  console.log(`ceiling:  ${ceiling.toFixed(0)} contacts/s (${LIMIT.max} × ${PAGE} / ${LIMIT.intervalMs / 1000} s); the budget's own ${budgetCeiling.toFixed(0)} (${((budgetCeiling / ceiling) * 100).toFixed(0)} %)`);
  console.log(`requests: ${requests.count} sent, busiest ${LIMIT.intervalMs / 1000} s window ${requests.maxInAnyWindow}, 429s answered ${requests.rejected}; the budget alone holds the pass ≥ ${windows * (LIMIT.intervalMs / 1000)} s`);
  console.log(`ratio ${ratio.toFixed(2)} of the ceiling (target ≥ 0.9)`);
  ok = ratio >= 0.9 && rows[0]!.n === CONTACTS && requests.rejected === 0 && requests.maxInAnyWindow <= LIMIT.max;
  console.log(ok ? 'PASS' : 'MISS');
} finally {
  await worker?.stop();
  await bus.close();
  await sandbox.close();
  await redis.cleanup();
  await t.drop();
}
process.exit(ok ? 0 : 1);
