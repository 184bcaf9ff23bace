/**
 * Full-sync benchmark (issue 4, "Must show" 4). Not a test: run it by hand.
 *
 *   node --conditions=source --import tsx apps/workers/bench/sync.ts [--size=50000]
 *
 * The sandbox (in this process) serves ~12 records per customer, so the default size
 * gives ~600,000 records. The sync worker runs as its own process exactly as in
 * production (BullMQ, the sandbox over HTTP, PostgreSQL); its peak RSS is read from
 * /proc. The anchor upserts the same rows straight into PostgreSQL in 1,000-row
 * `unnest` batches, in the same run, so the two rates share one machine and one database.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { closeDatabase, createDatabase, createTenant, runMigrations } from '@fieldhand/db';
import { createRedis, jobCatalog, JobBus } from '@fieldhand/queues';
import { ST_MODULES, type StModule } from '@fieldhand/servicetitan';
import { createSandbox } from '../../sandbox/src/index.js';

const size = Number(/--size=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 50_000);
const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 1_000;

const dbName = `fh_bench_${randomBytes(4).toString('hex')}`;
const prefix = `fh-bench-${randomBytes(4).toString('hex')}`;
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

function resourceOf(module: StModule): string {
  return module.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Peak resident set (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

await admin(`create database ${dbName}`);
// The bench's own key: the tenants it makes carry ServiceTitan secrets, sealed like production's.
const db = createDatabase({ url: dbUrl, max: 4, encryption: { key: randomBytes(32).toString('base64') } });
const redis = createRedis(redisUrl, 'worker');
const bus = new JobBus(jobCatalog, redis, prefix);
const sandbox = createSandbox({ logLevel: 'warn' });
const running = await sandbox.listen(0);
let worker: ReturnType<typeof spawn> | undefined;
try {
  await runMigrations(db);
  const account = sandbox.accounts.create({ seed: 42, size, servicetitan: { exportPageSize: 5_000 } });
  const st = account.servicetitan;
  const total = ST_MODULES.reduce((n, m) => n + st.world.count(resourceOf(m) as never), 0);
  console.log(`dataset: ${size} customers, ${total} records`);
  const syncTenant = await createTenant(db, {
    name: 'bench-sync',
    timezone: 'America/Chicago',
    servicetitan: { tenantId: String(st.tenantId), clientId: st.clientId, clientSecret: st.clientSecret, appKey: st.appKey },
  });
  const anchorTenant = await createTenant(db, { name: 'bench-anchor', timezone: 'America/Chicago' });

  // --- the sync worker, as its own process -------------------------------------------------
  // BENCH_WORKER=dist runs the built worker (after `npm run build`), as PM2 does; the default runs the sources through tsx.
  // The ecosystem entry for the sync role should carry the same heap cap (node_args): without
  // it V8 lets garbage from 5,000-record pages pile up to ~500 MB before collecting.
  const heapMb = Number(process.env.BENCH_WORKER_HEAP_MB ?? 160);
  const heap = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
  const args = process.env.BENCH_WORKER === 'dist'
    ? [...heap, fileURLToPath(new URL('../dist/sync.js', import.meta.url))]
    : [...heap, '--conditions=source', '--import', 'tsx', fileURLToPath(new URL('../src/sync.ts', import.meta.url))];
  worker = spawn(process.execPath, args, {
    env: { ...process.env, ...running.env, DATABASE_URL: dbUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', SCHEDULER_OWNER: 'false' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    worker!.once('message', () => resolve());
    worker!.once('exit', (code) => reject(new Error(`sync worker exited with ${code}`)));
  });
  const syncStarted = performance.now();
  await bus.enqueue('sync.start', { tenantId: syncTenant.id, source: 'servicetitan', full: true });
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await db.execute<{ states: number; running: number }>(
      sql`select count(*)::int as states, count(*) filter (where run_id is not null)::int as running from sync_state where tenant_id = ${syncTenant.id}`,
    );
    if (rows[0]!.states === ST_MODULES.length && rows[0]!.running === 0) break;
  }
  const syncSeconds = (performance.now() - syncStarted) / 1000;
  const rss = peakRssMb(worker.pid!);
  const { rows: failed } = await db.execute<{ n: number }>(sql`select count(*)::int as n from sync_runs where tenant_id = ${syncTenant.id} and status <> 'succeeded'`);

  // --- the anchor: the same rows, straight in, 1,000-row unnest batches ----------------------
  let anchorMs = 0;
  let anchorRows = 0;
  for (const module of ST_MODULES) {
    const resource = resourceOf(module) as never;
    const config = getTableConfig(module.table);
    const columns = config.columns.filter((c) => c.name !== 'tenant_id' && c.name !== 'synced_at');
    const names = columns.map((c) => `"${c.name}"`);
    const arrays = columns.map((c, i) => `$${i + 2}::${c.getSQLType().replace(/\(.*\)/, '')}[]`);
    const text = `insert into "${config.name}" as t (tenant_id, ${names.join(', ')}) select $1, * from unnest(${arrays.join(', ')})
      on conflict (tenant_id, id) do update set ${names.filter((n) => n !== '"id"').map((n) => `${n} = excluded.${n}`).join(', ')}
      where t.raw is distinct from excluded.raw`;
    const count = st.world.count(resource);
    for (let start = 0; start < count; start += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => module.toRow(st.world.get(resource, start + i)));
      const params = [anchorTenant.id, ...columns.map((c) => rows.map((r) => (c.name === 'raw' ? JSON.stringify(r.raw) : (r[c.name] ?? null))))];
      const t0 = performance.now();
      await db.$client.query(text, params);
      anchorMs += performance.now() - t0;
      anchorRows += rows.length;
    }
  }

  const syncRate = total / syncSeconds;
  const anchorRate = anchorRows / (anchorMs / 1000);
  console.log(`sync:   ${total} rows in ${syncSeconds.toFixed(1)} s = ${Math.round(syncRate)} rows/s (failed passes: ${failed[0]!.n})`);
  console.log(`anchor: ${anchorRows} rows in ${(anchorMs / 1000).toFixed(1)} s = ${Math.round(anchorRate)} rows/s (DB time only)`);
  console.log(`sync / anchor: ${((syncRate / anchorRate) * 100).toFixed(0)}% (target >= 50%)`);
  console.log(`sync worker peak RSS: ${rss.toFixed(0)} MB (target <= 300 MB; heap cap ${heapMb > 0 ? `${heapMb} MB` : 'none'})`);
} finally {
  worker?.kill('SIGTERM');
  await running.close();
  await bus.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await closeDatabase(db);
  await admin(`drop database if exists ${dbName} with (force)`);
}
