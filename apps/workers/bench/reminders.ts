// bench/reminders: 20,000 appointment reminders due at the same moment over 200 tenants
// (each its own Twilio account and sender, no per-sender limit), planned by the product's
// planTenant, fired by the reminders role and sent by the sms role (both in this process,
// each with its own pool, the sandbox vendor in its own process), beside the plain send
// rate of bench/sms (ledger rows queued, then the sms role drains them) in the same run.
// Prints lateness (Twilio accepted the text − due time) p50/p99 and the burst's sends/s (first
// due moment → last text accepted). Targets: burst sends/s ≥ 0.8 × plain sends/s,
// no text twice (sandbox and ledger), no reminder lost (every one `sent`, its text at the sandbox).
// Run: node --conditions=source --import tsx apps/workers/bench/reminders.ts [--tenants=200] [--per-tenant=100] [--anchor-count=10000] [--lead-s=N]
import { readdirSync, readFileSync } from 'node:fs';
import { inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant, messages, reminders, saveReminderSettings, stAppointments, type Database } from '@fieldhand/db';
import { createTestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, QUEUE_SETTINGS, runWorkers, workerPoolSize } from '@fieldhand/queues';
import { createTestRedis } from '@fieldhand/queues/testing';
import { planTenant } from '@fieldhand/reminders';
import { nextSendTime, recipientWindow, type SendWindow } from '@fieldhand/sms';
import type { RoleDeps } from '../src/bootstrap/role.js';
import { reminderDeps, remindersRole } from '../src/reminders/role.js';
import { addSandboxAccount, createPlainTexts, drainPlainSends, sandboxTexts, startCallbackSink, startSandbox, startSmsWorkers } from './support.js';

const flag = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const TENANTS = flag('tenants', 200);
const PER_TENANT = flag('per-tenant', 100);
const TOTAL = TENANTS * PER_TENANT;
// bench/sms's measurement on one account, which keeps 10,000 texts: at most that many.
const ANCHOR_COUNT = flag('anchor-count', Math.min(TOTAL, 10_000));
// Time to plan every appointment before the common due moment (about 4–6 ms each measured on 2 cores, with a margin).
const LEAD_MS = flag('lead-s', Math.ceil(10 + TOTAL * 0.008)) * 1000;
const OFFSET_MINUTES = 60;
const VISIT_MINUTES = 120;
const TARGET_RATIO = 0.8;
const ALL_DAY: SendWindow = { start: '00:00', end: '23:59' };
const logger = createLogger({ name: 'bench-reminders', level: 'warn' });
// Where the time goes: PostgreSQL round trips from this process by pool (application_name),
// and Redis commands, counted over each measured phase.
const roundTrips = new Map<string, number>();
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client & { connectionParameters?: { application_name?: string } }, ...args: unknown[]) {
  const pool = this.connectionParameters?.application_name ?? '?';
  roundTrips.set(pool, (roundTrips.get(pool) ?? 0) + 1);
  return Reflect.apply(clientQuery, this, args) as unknown;
} as typeof clientQuery;
const tripsOf = (pool: string) => roundTrips.get(pool) ?? 0;
// And the other processes' CPU seconds so far, from Linux's /proc (zero elsewhere): PostgreSQL's
// (the postmaster's reaped backends included), Redis's and the sandbox's.
type ServerCpu = { postgres: number; redis: number; sandbox: number };
function serverCpu(sandboxPid: number): ServerCpu {
  const cpu: ServerCpu = { postgres: 0, redis: 0, sandbox: 0 };
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return cpu;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime, in clock ticks (100 a second).
    const seconds = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    const key = Number(pid) === sandboxPid ? 'sandbox' : comm === 'postgres' ? 'postgres' : comm === 'redis-server' ? 'redis' : undefined;
    if (key) cpu[key] += seconds;
  }
  return cpu;
}
const cpuSince = (before: ServerCpu, after: ServerCpu, texts: number) =>
  (['postgres', 'redis', 'sandbox'] as const).map((k) => `${k} ${(((after[k] - before[k]) * 1000) / Math.max(1, texts)).toFixed(1)} ms`).join(', ');
if (PER_TENANT > 10_000 || ANCHOR_COUNT > 10_000) throw new Error('the sandbox keeps 10,000 texts per account: --per-tenant and --anchor-count at most 10000');
if (TENANTS > 9_000) throw new Error('--tenants at most 9000 (one sender number each)');

const t = await createTestDatabase();
const redis = createTestRedis();
const callbacks = await startCallbackSink();
// No status callbacks during the run: the anchor's would land in the burst (the sandbox's work, not the product's).
const sandbox = await startSandbox(3_600_000);
const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, TWILIO_API_URL: `${sandbox.url}/twilio`, PUBLIC_BASE_URL: callbacks.url, SMS_SEGMENTS_PER_SECOND: '0' });
const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
const redisInfo = redis.connect('producer');
const redisCommands = async () => Number(/total_commands_processed:(\d+)/.exec(await redisInfo.info('stats'))![1]);
const closers: Array<() => Promise<unknown>> = [];
const onShutdown = (close: () => Promise<unknown>) => void closers.push(close);

// The anchor's tenant is bench/sms's; each burst tenant has its own sandbox account and sender.
const ANCHOR_SENDER = '+17372004055';
const anchorAccount = { accountSid: `AC${'6'.repeat(32)}`, authToken: 'bench-sms-auth-token-0123456789' };
await addSandboxAccount(sandbox.url, { ...anchorAccount, sender: ANCHOR_SENDER, smsUrl: `${callbacks.url}/sms` });
const anchorTenant = await createTenant(t.db, { name: 'Bench HVAC', timezone: 'America/Chicago', twilio: { from: ANCHOR_SENDER, ...anchorAccount, sendWindow: ALL_DAY } });

type BurstTenant = { id: string; sender: string; first: number };
const tenants: BurstTenant[] = [];
for (let i = 0; i < TENANTS; i++) {
  const sender = `+1737201${String(i).padStart(4, '0')}`;
  const account = { accountSid: `AC${String(i).padStart(4, '0')}${'8'.repeat(28)}`, authToken: `bench-reminders-token-${i}-0123456789` };
  await addSandboxAccount(sandbox.url, { ...account, sender, smsUrl: `${callbacks.url}/sms` });
  const tenant = await createTenant(t.db, { name: `Bench Plumbing ${i}`, timezone: 'America/Chicago', twilio: { from: sender, ...account, sendWindow: ALL_DAY } });
  await saveReminderSettings(t.db, tenant.id, { enabled: true, offsetsMinutes: [OFFSET_MINUTES], confirmByReply: true });
  tenants.push({ id: tenant.id, sender, first: i * PER_TENANT });
}
const tenantIds = tenants.map((x) => x.id);

// 1. The anchor: bench/sms's plain send path, measured the same way.
await createPlainTexts(t.db, bus, anchorTenant.id, ANCHOR_COUNT, logger);
const anchorTripsBefore = tripsOf('fieldhand-sms');
const anchorCommandsBefore = await redisCommands();
const anchorServersBefore = serverCpu(sandbox.pid);
const anchor = await drainPlainSends({ db: t.db, config, bus, redis, logger, tenantIds: [anchorTenant.id], count: ANCHOR_COUNT });
const anchorServers = cpuSince(anchorServersBefore, serverCpu(sandbox.pid), ANCHOR_COUNT);
const anchorTrips = (tripsOf('fieldhand-sms') - anchorTripsBefore) / ANCHOR_COUNT;
const anchorCommands = (await redisCommands()) - anchorCommandsBefore;
const anchorTexts = (await sandboxTexts(sandbox.url)).filter((m) => m.from === ANCHOR_SENDER);
const anchorDuplicates = anchorTexts.length - new Set(anchorTexts.map((m) => m.body)).size;

// 2. The burst. The mirror as a sync stores it: per visit a customer with a mobile (its own
// number, +1 512 6xx xxxx from the global index g), a service location, a job, a Scheduled
// appointment (start set below) and its technician. Ids are unique across tenants.
const phoneOf = (g: number) => `+1512${String(6_000_000 + g).padStart(7, '0')}`;
async function seedMirror(db: Database, tenant: BurstTenant, state: string): Promise<void> {
  const series = sql`generate_series(${tenant.first}::int, ${tenant.first + PER_TENANT - 1}::int) g`;
  // tenant_id, id, active, modified_on, raw: ids `base + g`.
  const common = (base: number) => sql`${tenant.id}::uuid, ${sql.raw(String(base))} + g, true, now(), '{}'::jsonb`;
  const phone = sql`'+1512' || lpad((6000000 + g)::text, 7, '0')`;
  await db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) select ${common(10_000_000)}, 'Pat Customer' || g from ${series}`);
  await db.execute(sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone)
    select ${common(20_000_000)}, 10000000 + g, 'MobilePhone', ${phone}, ${phone} from ${series}`);
  await db.execute(sql`insert into st_locations (tenant_id, id, active, modified_on, raw, customer_id, state) select ${common(30_000_000)}, 10000000 + g, ${state} from ${series}`);
  await db.execute(sql`insert into st_jobs (tenant_id, id, active, modified_on, raw, customer_id, location_id, business_unit_id, job_type_id, job_status)
    select ${common(40_000_000)}, 10000000 + g, 30000000 + g, 7, 3, 'Scheduled' from ${series}`);
  await db.execute(sql`insert into st_appointments (tenant_id, id, active, modified_on, raw, job_id, customer_id, status)
    select ${common(50_000_000)}, 40000000 + g, 10000000 + g, 'Scheduled' from ${series}`);
  await db.execute(sql`insert into st_appointment_assignments (tenant_id, id, active, modified_on, raw, appointment_id, job_id, technician_id, technician_name)
    select ${common(60_000_000)}, 50000000 + g, 40000000 + g, 1, 'Sam Rivera' from ${series}`);
}

// The due moment: far enough ahead to plan everything first, whole second. The service
// address's state sets the recipient's zone: the first whose window holds the whole burst
// (an all-day window still closes at 23:59 local) is used, so the wall clock never holds texts back.
const due = new Date(Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000);
const inWindow = (state: string) => {
  const { zone, window } = recipientWindow({ phone: phoneOf(0), state }, 'America/Chicago', ALL_DAY);
  return Array.from({ length: 31 }, (_, k) => new Date(due.getTime() + k * 60_000)).every((at) => nextSendTime(at, zone, window).getTime() === at.getTime());
};
const state = ['TX', 'NY', 'CA'].find(inWindow)!;
const seededAt = Date.now();
for (const tenant of tenants) await seedMirror(t.db, tenant, state);
const start = new Date(due.getTime() + OFFSET_MINUTES * 60_000);
const end = new Date(start.getTime() + VISIT_MINUTES * 60_000);
await t.db
  .update(stAppointments)
  .set({ startsAt: start, endsAt: end, arrivalWindowStart: start, arrivalWindowEnd: end })
  .where(inArray(stAppointments.tenantId, tenantIds));
const seedMs = Date.now() - seededAt;

// Planned as a settings change or a first sync has it planned (reminders.plan-tenant), as many
// tenants at once as the reminders worker runs jobs.
const planDb = createDatabase({ url: t.url, max: QUEUE_SETTINGS.reminders.concurrency + 1, applicationName: 'bench-plan' });
const roleDeps = (db: Database): RoleDeps => ({ config, db, bus, logger, onShutdown });
const planDeps = reminderDeps(roleDeps(planDb));
const planStarted = Date.now();
const toPlan = [...tenants];
await Promise.all(
  Array.from({ length: QUEUE_SETTINGS.reminders.concurrency }, async () => {
    for (let tenant = toPlan.shift(); tenant; tenant = toPlan.shift()) await planTenant(planDeps, { tenantId: tenant.id });
  }),
);
const planMs = Date.now() - planStarted;
await closeDatabase(planDb);
const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;
const planned = await count(sql`select count(*)::int as n from ${reminders} where status = 'scheduled' and due_at = ${due}`);
if (planned !== TOTAL || Date.now() > due.getTime() - 500) {
  console.error(`planning did not finish before the due moment: ${planned}/${TOTAL} reminders scheduled for ${due.toISOString()}, planning took ${(planMs / 1000).toFixed(1)} s of a ${LEAD_MS / 1000} s lead; raise --lead-s`);
  process.exit(2);
}

// The two roles, as their PM2 processes run them, each with its own pool and QUEUE_SETTINGS' concurrency; idle until the due moment.
const remindersDb = createDatabase({ url: t.url, max: workerPoolSize(remindersRole.queues, config.database.DATABASE_POOL_MAX), applicationName: 'fieldhand-reminders' });
const remindersWorkers = runWorkers({
  role: 'reminders',
  queues: remindersRole.queues,
  handlers: remindersRole.handlers(roleDeps(remindersDb)),
  bus,
  db: remindersDb,
  connection: redis.connect('worker'),
  logger,
});
const smsWorkers = startSmsWorkers({ config, bus, redis, logger });
await new Promise((r) => setTimeout(r, Math.max(0, due.getTime() - Date.now())));
const cpuAtDue = process.cpuUsage();
const tripsAtDue = { reminders: tripsOf('fieldhand-reminders'), sms: tripsOf('fieldhand-sms') };
const commandsAtDue = await redisCommands();
const serversAtDue = serverCpu(sandbox.pid);
const loopAtDue = performance.eventLoopUtilization();

const deadline = due.getTime() + 15 * 60_000;
for (;;) {
  await new Promise((r) => setTimeout(r, 250));
  const scheduled = await count(sql`select count(*)::int as n from ${reminders} where status = 'scheduled'`);
  const open = await count(sql`select count(*)::int as n from ${messages} where ${inArray(messages.tenantId, tenantIds)} and status in ('queued', 'sending')`);
  if (scheduled === 0 && open === 0) break;
  if (Date.now() > deadline) {
    console.error(`gave up 15 minutes after the due moment: ${scheduled} reminders still scheduled, ${open} texts open`);
    break;
  }
}
const cpu = process.cpuUsage(cpuAtDue);
const loop = performance.eventLoopUtilization(loopAtDue);
const burstTrips = { reminders: tripsOf('fieldhand-reminders') - tripsAtDue.reminders, sms: tripsOf('fieldhand-sms') - tripsAtDue.sms };
const burstCommands = (await redisCommands()) - commandsAtDue;
const burstServers = cpuSince(serversAtDue, serverCpu(sandbox.pid), TOTAL);
await remindersWorkers.close(5_000);
await smsWorkers.close();

// What happened to each reminder: its row, its ledger text (accepted = when Twilio answered
// the send, the lateness's end), and whether the sandbox holds that text, once.
const { rows } = await t.db.execute<{ tenant_id: string; phone: string | null; status: string; due_ms: number; fired_ms: number | null; created_ms: number | null; accepted_ms: number | null }>(
  sql`select r.tenant_id, r.phone, r.status, extract(epoch from r.due_at) * 1000 as due_ms,
        case when r.status = 'sent' then extract(epoch from r.updated_at) * 1000 end as fired_ms,
        extract(epoch from m.created_at) * 1000 as created_ms,
        (select extract(epoch from (e->>'at')::timestamptz) * 1000 from jsonb_array_elements(m.status_history) e where e->>'status' = 'accepted' limit 1) as accepted_ms
      from ${reminders} r left join ${messages} m on m.id = r.message_id`,
);
const ledgerDuplicates = await count(
  sql`select coalesce(sum(n - 1), 0)::int as n from (select count(*) as n from ${messages} where ${inArray(messages.tenantId, tenantIds)} group by tenant_id, "to") x`,
);
const senderOf = new Map(tenants.map((x) => [x.id, x.sender]));
const burstSenders = new Set(tenants.map((x) => x.sender));
const atSandbox = new Map<string, number>();
for (const m of await sandboxTexts(sandbox.url)) {
  if (!burstSenders.has(m.from) || m.direction === 'inbound') continue;
  const key = `${m.from}|${m.to}`;
  atSandbox.set(key, (atSandbox.get(key) ?? 0) + 1);
}
const sandboxDuplicates = [...atSandbox.values()].reduce((sum, n) => sum + n - 1, 0);
const lateness: number[] = [];
const toFire: number[] = [];
const toText: number[] = [];
let lost = TOTAL - rows.length;
let lastText = due.getTime();
for (const r of rows) {
  const atVendor = r.phone ? atSandbox.get(`${senderOf.get(r.tenant_id)}|${r.phone}`) : undefined;
  if (r.status !== 'sent' || !atVendor || r.accepted_ms === null) {
    lost++;
    continue;
  }
  const accepted = Number(r.accepted_ms);
  lastText = Math.max(lastText, accepted);
  lateness.push(accepted - Number(r.due_ms));
  if (r.fired_ms !== null) toFire.push(Number(r.fired_ms) - Number(r.due_ms));
  if (r.created_ms !== null) toText.push(accepted - Number(r.created_ms));
}
const delivered = lateness.length;
const burstRate = delivered / ((lastText - due.getTime()) / 1000);
const ratio = burstRate / anchor.sendsPerSecond;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ok = { ratio: ratio >= TARGET_RATIO, duplicates: sandboxDuplicates === 0 && ledgerDuplicates === 0, lost: lost === 0 };
const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
const row = (cells: string[]) => console.log(cells.map((c, i) => c.padEnd([36, 32, 32, 10][i] ?? 0)).join(' ').trimEnd());

console.log(`\nbench/reminders — ${TOTAL} reminders (${TENANTS} tenants × ${PER_TENANT}, offset ${OFFSET_MINUTES} min) all due at ${due.toISOString()}, no per-sender limit`);
console.log(`reminders concurrency ${QUEUE_SETTINGS.reminders.concurrency}, sms-send ${QUEUE_SETTINGS['sms-send'].concurrency}; both roles in this process, the sandbox in its own`);
console.log(`setup: mirror seeded in ${s(seedMs)}, planTenant × ${TENANTS} in ${s(planMs)} (${(TOTAL / (planMs / 1000)).toFixed(0)} appointments/s), recipients' zone from state ${state}`);
console.log(`burst: fired (reminder sent) p50 ${s(pct(toFire, 50))} p99 ${s(pct(toFire, 99))} after due; ledger text → accepted p50 ${s(pct(toText, 50))} p99 ${s(pct(toText, 99))}`);
// Redis counts include the bench's own INFO calls and BullMQ's idle polling: a few per second.
const perText = (n: number, texts: number) => (n / Math.max(1, texts)).toFixed(1);
console.log('where the time goes, per text:');
console.log(`  plain: this process ${perText((anchor.cpu.user + anchor.cpu.system) / 1000, ANCHOR_COUNT)} ms CPU (event loop ${(anchor.loop.utilization * 100).toFixed(0)}% busy), ${anchorTrips.toFixed(1)} PostgreSQL round trips (sms), ${perText(anchorCommands, ANCHOR_COUNT)} Redis commands; CPU ${anchorServers}`);
console.log(
  `  burst: this process ${perText((cpu.user + cpu.system) / 1000, delivered)} ms CPU (event loop ${(loop.utilization * 100).toFixed(0)}% busy), ${perText(burstTrips.reminders + burstTrips.sms, delivered)} PostgreSQL round trips (reminders ${perText(burstTrips.reminders, delivered)}, sms ${perText(burstTrips.sms, delivered)}), ${perText(burstCommands, delivered)} Redis commands; CPU ${burstServers}\n`,
);
row(['', 'product (reminder burst)', 'anchor (plain sends, bench/sms)', 'target', 'result']);
row(['sends/s', `${burstRate.toFixed(0)} (${delivered} texts, ${s(lastText - due.getTime())})`, `${anchor.sendsPerSecond.toFixed(0)} (${ANCHOR_COUNT} texts)`, `≥ ${TARGET_RATIO} ×`, `${ratio.toFixed(2)} ${verdict(ok.ratio)}`]);
row(['lateness (accepted − due) p50 / p99', `${s(pct(lateness, 50))} / ${s(pct(lateness, 99))}`, '', '', '']);
row(['duplicates (sandbox / ledger)', `${sandboxDuplicates} / ${ledgerDuplicates}`, `${anchorDuplicates} / –`, '0', verdict(ok.duplicates)]);
row(['lost (not sent or not at sandbox)', String(lost), `${ANCHOR_COUNT - anchorTexts.length}`, '0', verdict(ok.lost)]);
const pass = ok.ratio && ok.duplicates && ok.lost;
console.log(pass ? 'PASS' : 'MISS');

await bus.close();
redisInfo.disconnect();
await closeDatabase(remindersDb);
for (const close of closers) await close();
await sandbox.close();
callbacks.close();
await redis.cleanup();
await t.drop();
process.exit(pass ? 0 : 1);
