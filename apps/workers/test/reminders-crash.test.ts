// kill -9 of the reminders worker, then FLUSHALL of Redis, while 1,000 reminders come due:
// PostgreSQL is the record, the ledger key keeps each reminder to one text, and the
// maintenance role's reconcilers (reminders, sends) rebuild what Redis lost. Every
// reminder is sent exactly once; the ledger and the sandbox's Twilio hold the same texts.
import { sql } from 'drizzle-orm';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant, saveReminderSettings, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { createRedis, jobCatalog, JobBus, runWorkers, type FieldhandCatalog, type RunningWorkers } from '@fieldhand/queues';
import { startPrivateRedis, type PrivateRedis } from '@fieldhand/queues/testing';
import { planTenant, type ReminderDeps } from '@fieldhand/reminders';
import { createSandbox, type RunningSandbox } from '../../sandbox/src/index.js';
import type { RoleDefinition } from '../src/bootstrap/role.js';
import { maintenanceRole } from '../src/maintenance/role.js';
import { smsRole } from '../src/sms/role.js';
import { roleEnv, startRoleProcess, type RoleProcess } from './support/role-process.js';
import { sleep, until } from './support/until.js';
import { textsAtSandbox, type SandboxText } from './support/workflow-load.js';

const TENANTS = 4;
const PER_TENANT = 250;
const REMINDERS = TENANTS * PER_TENANT;
// Ten waves of 100 reminders, 2 s apart, the first LEAD_MS after seeding (planning runs meanwhile).
const WAVES = 10;
const WAVE_GAP_MS = 2_000;
const LEAD_MS = 20_000;
// One reminder an hour before each visit: due while the visit is still far enough ahead to be sent.
const OFFSET_MINUTES = 60;
const ACCOUNT_SID = `AC${'9'.repeat(32)}`;
const AUTH_TOKEN = 'reminders-crash-auth-token-0123456789';
const senderOf = (k: number) => `+1737200410${k}`;
// Recipients in Texas (512, a TX location): America/Chicago, no early cutoff.
const phoneOf = (g: number) => `+1512${String(4_100_000 + g).padStart(7, '0')}`;
const logger = createLogger({ name: 'reminders-crash', level: 'silent' });

let t: TestDatabase;
let redis: PrivateRedis;
let sandbox: RunningSandbox;
let bus: JobBus<FieldhandCatalog>;
let worker: RoleProcess | undefined;
const running: RunningWorkers[] = [];
const pools: Database[] = [];
const connections: Array<Redis | Cluster> = [];
const connect = () => {
  const c = createRedis(redis.url, 'worker');
  connections.push(c);
  return c;
};
const tenantIds: string[] = [];
let firstDue: Date;

const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;
// Every text the sandbox's Twilio took from the tenants' numbers.
const allTexts = async (): Promise<SandboxText[]> => (await Promise.all(tenantIds.map((_, k) => textsAtSandbox(sandbox.url, senderOf(k))))).flat();
const sentReminders = () => count(sql`select count(*)::int as n from reminders where status = 'sent'`);

// The reminders role as its own process, as PM2 runs it: kill -9 is real.
const startRemindersWorker = () =>
  startRoleProcess('reminders', roleEnv({ databaseUrl: t.url, redisUrl: redis.url }));

/** `PER_TENANT` visits per tenant as the sync stores them, each with its own mobile, starting OFFSET after its wave. */
async function seedVisits(tenantId: string, k: number, firstDue: Date): Promise<void> {
  const base = 1_000_000 * (k + 1);
  // g: the visit's number over all tenants; its wave is g % WAVES, so every wave has every tenant.
  const g = sql`(${k * PER_TENANT}::int + i)`;
  const start = sql`(${firstDue.toISOString()}::timestamptz + ((${g} % ${WAVES}) * ${WAVE_GAP_MS}::int + ${OFFSET_MINUTES * 60_000}::int) * interval '1 millisecond')`;
  const phone = sql`'+1512' || lpad((4100000 + ${g})::text, 7, '0')`;
  const series = sql`generate_series(0, ${PER_TENANT - 1}::int) i`;
  const head = (offset: number) => sql`${tenantId}::uuid, ${base + offset}::bigint + i, true, now(), '{}'::jsonb`;
  await t.db.execute(sql`insert into st_customers (tenant_id, id, active, modified_on, raw, name) select ${head(0)}, 'Cust' || ${g} || ' Doe' from ${series}`);
  await t.db.execute(
    sql`insert into st_customer_contacts (tenant_id, id, active, modified_on, raw, customer_id, type, value, phone) select ${head(100_000)}, ${base}::bigint + i, 'MobilePhone', ${phone}, ${phone} from ${series}`,
  );
  await t.db.execute(sql`insert into st_locations (tenant_id, id, active, modified_on, raw, customer_id, state) select ${head(200_000)}, ${base}::bigint + i, 'TX' from ${series}`);
  await t.db.execute(
    sql`insert into st_jobs (tenant_id, id, active, modified_on, raw, customer_id, location_id, business_unit_id, job_type_id, job_status)
        select ${head(300_000)}, ${base}::bigint + i, ${base + 200_000}::bigint + i, 7, 3, 'Scheduled' from ${series}`,
  );
  await t.db.execute(
    sql`insert into st_appointments (tenant_id, id, active, modified_on, raw, job_id, customer_id, status, starts_at, ends_at, arrival_window_start, arrival_window_end)
        select ${head(400_000)}, ${base + 300_000}::bigint + i, ${base}::bigint + i, 'Scheduled', ${start}, ${start} + interval '2 hours', ${start}, ${start} + interval '2 hours' from ${series}`,
  );
  await t.db.execute(
    sql`insert into st_appointment_assignments (tenant_id, id, active, modified_on, raw, appointment_id, job_id, technician_id, technician_name)
        select ${head(500_000)}, ${base + 400_000}::bigint + i, ${base + 300_000}::bigint + i, 1, 'Sam Rivera' from ${series}`,
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  const numbers = Array.from({ length: TENANTS }, (_, k) => ({ phoneNumber: senderOf(k), smsUrl: 'http://127.0.0.1:9/sms' }));
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers } }),
  });
  // A Twilio slower than the reminders fire, so texts are queued in the ledger when Redis goes.
  await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 1, rules: [{ vendor: 'twilio', method: 'POST', kind: 'latency', latencyMs: 100 }] }),
  });
  const config = loadConfig({
    DATABASE_URL: t.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'fh',
    TWILIO_API_URL: `${sandbox.url}/twilio`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:9',
    SMS_SEGMENTS_PER_SECOND: '0',
    SEND_RECONCILE_AFTER_SECONDS: '3',
  });
  bus = new JobBus(jobCatalog, connect(), 'fh');
  // The sms and maintenance roles as their processes run them, in this process, each with its own pool.
  for (const role of [smsRole, maintenanceRole] as RoleDefinition[]) {
    const db = createDatabase({ url: t.url, max: 10, applicationName: `reminders-crash-${role.name}` });
    pools.push(db);
    running.push(runWorkers({ role: role.name, queues: role.queues, handlers: role.handlers({ config, db, bus, logger }), bus, db, connection: connect(), logger }));
  }
  worker = await startRemindersWorker();

  firstDue = new Date(Date.now() + LEAD_MS);
  for (let k = 0; k < TENANTS; k++) {
    const tenant = await createTenant(t.db, {
      name: `Crash HVAC ${k}`,
      timezone: 'America/Chicago',
      // Any hour the suite runs is inside the window (but 23:59 Chicago, which only delays a minute).
      twilio: { from: senderOf(k), accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, sendWindow: { start: '00:00', end: '23:59' } },
    });
    await saveReminderSettings(t.db, tenant.id, { enabled: true, offsetsMinutes: [OFFSET_MINUTES], confirmByReply: true });
    await seedVisits(tenant.id, k, firstDue);
    tenantIds.push(tenant.id);
  }
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all(running.map((w) => w.close(2_000)));
  await bus?.close();
  await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
  await Promise.all(pools.map((db) => closeDatabase(db)));
  await sandbox?.close();
  await redis?.stop();
  await t?.drop();
}, 60_000);

describe('reminders worker killed and Redis flushed mid-firing', () => {
  it(`sends each of ${REMINDERS} due reminders exactly once; the ledger and the sandbox agree`, async () => {
    const started = Date.now();
    // Planned through the product: the tenant re-plan the settings change would enqueue, run here.
    const planner: ReminderDeps = { db: t.db, bus, logger, serviceTitan: () => Promise.reject(new Error('no ServiceTitan in this test')) };
    const plans = await Promise.all(tenantIds.map((tenantId) => planTenant(planner, { tenantId })));
    expect(plans.map((p) => p.planned)).toEqual(tenantIds.map(() => PER_TENANT));
    const planMs = Date.now() - started;
    expect(await count(sql`select count(*)::int as n from reminders where status = 'scheduled'`)).toBe(REMINDERS);
    expect(await bus.queue('reminders').getDelayedCount()).toBe(REMINDERS);

    // The maintenance role's reconcilers, on a short timer instead of their 30 s schedules.
    let reconciling = true;
    const reconciler = (async () => {
      for (let i = 0; reconciling; i++) {
        await bus.enqueue('maintenance.reconcile-reminders', { tenantId: null }, { jobId: `rr-${i}` }).catch(() => undefined);
        await bus.enqueue('maintenance.reconcile-sends', { tenantId: null }, { jobId: `rs-${i}` }).catch(() => undefined);
        await sleep(2_000);
      }
    })();

    try {
      // kill -9 while a wave is firing: the first wave is out and fire jobs are active in the worker.
      // A fire job takes milliseconds, so the ones seen active may finish before the signal lands:
      // then the dead worker held nothing, and the next wave gets the kill instead (PM2 restarts it).
      const reminderQueue = bus.queue('reminders');
      let killedAt = 0;
      let sentAtKill = 0;
      let lockedAtKill = 0;
      for (let attempt = 0; attempt < WAVES / 2 && lockedAtKill === 0; attempt++) {
        if (attempt > 0) worker = await startRemindersWorker();
        await until(async () => (await sentReminders()) >= 100 && (await reminderQueue.getActiveCount()) > 0, 60_000, 'a wave firing after the first', 5);
        await worker!.kill9();
        killedAt = Date.now() - firstDue.getTime();
        sentAtKill = await sentReminders();
        // Jobs the dead worker held: locked until their locks expire, then retried by the new worker.
        lockedAtKill = await reminderQueue.getActiveCount();
      }
      // Down for a wave, as a crash loop would be; then back as PM2 would restart it.
      await sleep(WAVE_GAP_MS);
      worker = await startRemindersWorker();

      // FLUSHALL with texts queued in the ledger (their reminder already sent) and reminders still to come due.
      await until(async () => (await sentReminders()) >= 500, 60_000, '500 reminders sent');
      await bus.queue('sms-send').pause();
      const queuedTexts = sql`select count(*)::int as n from messages m join reminders r on r.message_id = m.id where m.status = 'queued' and r.status = 'sent'`;
      const orphaned = await until(async () => {
        const n = await count(queuedTexts);
        return n >= 50 ? n : undefined;
      }, 30_000, 'queued texts of sent reminders');
      await connect().flushall();
      const flushedAt = Date.now() - firstDue.getTime();
      const sentAtFlush = await sentReminders();
      // Their fire jobs (delayed, or due and waiting) went with Redis: only the reminders reconciler brings them back.
      const scheduledAtFlush = await count(sql`select count(*)::int as n from reminders where status = 'scheduled'`);
      const notDueAtFlush = await count(sql`select count(*)::int as n from reminders where status = 'scheduled' and due_at > now()`);
      const textsAtFlush = (await allTexts()).length;

      await until(async () => (await sentReminders()) === REMINDERS, 90_000, 'every reminder sent');
      await until(async () => (await count(sql`select count(*)::int as n from messages where status in ('queued', 'sending')`)) === 0, 60_000, 'every text out');
      await sleep(1_000);
      const runMs = Date.now() - started;

      // The ledger: one row per reminder key, each sent reminder carrying its row.
      const rows = (
        await t.db.execute<{ key: string | null; id: string | null; status: string; to: string; body: string; sid: string | null; messages: number; reminder: string; rstatus: string; message_id: string | null }>(
          sql`select r.id as reminder, r.status as rstatus, r.message_id, m.id, m.idempotency_key as key, m.status, m."to", m.body, m.twilio_sid as sid,
                (select count(*)::int from messages x where x.tenant_id = r.tenant_id and x.idempotency_key = m.idempotency_key) as messages
              from reminders r
              left join messages m on m.tenant_id = r.tenant_id and m.idempotency_key = 'reminder:' || r.appointment_id || ':' || r.offset_minutes || ':' || to_char(r.appointment_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
        )
      ).rows;
      expect(rows).toHaveLength(REMINDERS);
      expect(rows.filter((r) => r.rstatus !== 'sent' || r.message_id === null || r.message_id !== r.id), 'reminders not sent with their ledger row').toEqual([]);
      expect(rows.filter((r) => r.key === null || r.messages !== 1), 'reminder keys without exactly one ledger row').toEqual([]);
      expect(await count(sql`select count(*)::int as n from messages`)).toBe(REMINDERS);
      expect(rows.filter((r) => r.sid === null || !['accepted', 'sent', 'delivered'].includes(r.status)), 'ledger rows Twilio did not take').toEqual([]);
      expect(new Set(rows.map((r) => r.to)).size).toBe(REMINDERS);

      // The sandbox: every recipient got its text once, from its tenant's number.
      const texts = await allTexts();
      const perText = new Map<string, number>();
      for (const m of texts) perText.set(`${m.to}|${m.body}`, (perText.get(`${m.to}|${m.body}`) ?? 0) + 1);
      const perPhone = new Map<string, number>();
      for (const m of texts) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1);
      const wrongPhones = Array.from({ length: REMINDERS }, (_, g) => phoneOf(g)).filter((phone) => perPhone.get(phone) !== 1);
      console.info(
        `${REMINDERS} reminders planned in ${planMs} ms; kill -9 at first due + ${killedAt} ms after ${sentAtKill} sent with ${lockedAtKill} fire jobs held by the dead worker; ` +
          `FLUSHALL at first due + ${flushedAt} ms after ${sentAtFlush} sent, ${scheduledAtFlush} scheduled (${notDueAtFlush} not yet due), ≥${orphaned} texts queued (${textsAtFlush} at the sandbox); ` +
          `the sandbox received ${texts.length}; ${runMs} ms`,
      );
      expect(sentAtKill).toBeLessThan(REMINDERS);
      expect(lockedAtKill, 'fire jobs the killed worker was running').toBeGreaterThan(0);
      expect(scheduledAtFlush, 'reminders whose fire job FLUSHALL took').toBeGreaterThan(0);
      expect(wrongPhones, 'recipients without exactly one text').toEqual([]);
      expect([...perText.values()].filter((n) => n !== 1)).toEqual([]);
      expect(texts).toHaveLength(REMINDERS);

      // Ledger and sandbox agree: the same texts (sid, recipient, body), no more, no fewer.
      const ledger = rows.map((r) => `${r.sid}|${r.to}|${r.body}`).sort();
      const atTwilio = texts.map((m) => `${m.sid}|${m.to}|${m.body}`).sort();
      expect(atTwilio).toEqual(ledger);
    } finally {
      reconciling = false;
      await reconciler;
    }
  }, 180_000);
});
