// FLUSHALL of Redis in the middle of 500 workflow runs with waits: PostgreSQL is
// the truth, and the maintenance role's reconcilers rebuild the lost step and send
// jobs, so every run still sends exactly its two texts — none lost, none doubled.
import { sql } from 'drizzle-orm';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@fieldhand/config';
import { closeDatabase, createDatabase, createTenant, setWorkflowDefinitionEnabled, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { createRedis, jobCatalog, JobBus, runWorkers, type FieldhandCatalog, type RunningWorkers } from '@fieldhand/queues';
import { startPrivateRedis, type PrivateRedis } from '@fieldhand/queues/testing';
import { saveDefinition } from '@fieldhand/workflows';
import { createSandbox, type RunningSandbox } from '../../sandbox/src/index.js';
import type { RoleDefinition } from '../src/bootstrap/role.js';
import { maintenanceRole } from '../src/maintenance/role.js';
import { smsRole } from '../src/sms/role.js';
import { workflowsRole } from '../src/workflows/role.js';
import { emitEstimatesCreated, seedEstimates, textsAtSandbox, twoTextFollowUp, wrongTexts, type LoadEstimate } from './support/workflow-load.js';

const RUNS = 500;
const SENDER = '+17372004088';
const ACCOUNT_SID = `AC${'8'.repeat(32)}`;
const AUTH_TOKEN = 'flushall-auth-token-0123456789';
const logger = createLogger({ name: 'workflows-flushall', level: 'silent' });

let t: TestDatabase;
let redis: PrivateRedis;
let sandbox: RunningSandbox;
let bus: JobBus<FieldhandCatalog>;
const running: RunningWorkers[] = [];
const pools: Database[] = [];
const connections: Array<Redis | Cluster> = [];
const connect = () => {
  const c = createRedis(redis.url, 'worker');
  connections.push(c);
  return c;
};
let tenantId: string;
let estimates: LoadEstimate[];

const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;
// Texts a completed step queued that the sms worker has not sent yet.
const queuedAfterStep = sql`select count(*)::int as n from messages m join workflow_step_runs s on m.idempotency_key = 'wf:' || s.instance_id || ':' || s.step_id
  where m.status = 'queued' and s.status = 'completed'`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = await startPrivateRedis();
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: 'http://127.0.0.1:9/sms' }] } }),
  });
  // A slow Twilio (≈50 texts/s with 10 senders).
  await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 1, rules: [{ vendor: 'twilio', method: 'POST', kind: 'latency', latencyMs: 200 }] }),
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
  // The three roles as their processes run them, in this process, each with its own pool as each process has.
  for (const role of [smsRole, workflowsRole, maintenanceRole] as RoleDefinition[]) {
    const db = createDatabase({ url: t.url, max: 10, applicationName: `flushall-${role.name}` });
    pools.push(db);
    running.push(runWorkers({ role: role.name, queues: role.queues, handlers: role.handlers({ config, db, bus, logger }), bus, db, connection: connect(), logger }));
  }
  const tenant = await createTenant(t.db, {
    name: 'Flush HVAC',
    timezone: 'America/Chicago',
    // Any hour the suite runs is inside the window.
    twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, sendWindow: { start: '00:00', end: '23:59' } },
  });
  tenantId = tenant.id;
  await saveDefinition(t.db, tenantId, twoTextFollowUp('flush-follow-up', 'PT5S'));
  await setWorkflowDefinitionEnabled(t.db, tenantId, 'flush-follow-up', true);
  estimates = await seedEstimates(t.db, tenantId, RUNS, 700_000);
});

afterAll(async () => {
  await Promise.all(running.map((w) => w.close(2_000)));
  await bus?.close();
  await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
  await Promise.all(pools.map((db) => closeDatabase(db)));
  await sandbox?.close();
  await redis?.stop();
  await t?.drop();
});

describe('FLUSHALL of Redis mid-run', () => {
  it(`loses no text and doubles none across ${RUNS} runs with waits`, async () => {
    // The maintenance role's reconcilers, on a short timer instead of their 15 s / 30 s schedules.
    let reconciling = true;
    const reconciler = (async () => {
      for (let i = 0; reconciling; i++) {
        await bus.enqueue('maintenance.reconcile-workflows', { tenantId: null }, { jobId: `rw-${i}` }).catch(() => undefined);
        await bus.enqueue('maintenance.reconcile-sends', { tenantId: null }, { jobId: `rs-${i}` }).catch(() => undefined);
        await sleep(2_000);
      }
    })();

    try {
      await emitEstimatesCreated(bus, tenantId, estimates);
      // Every event evaluated (so every run is in PostgreSQL) and some first texts out, none of the second.
      await until(async () => (await count(sql`select count(*)::int as n from workflow_instances where tenant_id = ${tenantId}`)) === RUNS, 60_000, 'every run started');
      await until(async () => (await textsAtSandbox(sandbox.url, SENDER)).length >= 100, 60_000, 'the first 100 texts');
      // Flush while texts are queued whose step already completed: only the sends reconciler can save those.
      // Sending is paused meanwhile so they pile up however fast the workflow worker runs; FLUSHALL drops the pause too.
      await bus.queue('sms-send').pause();
      const orphaned = await until(async () => {
        const n = await count(queuedAfterStep);
        return n >= 50 ? n : undefined;
      }, 60_000, 'queued texts of completed steps');
      await connect().flushall();
      const atFlush = (await textsAtSandbox(sandbox.url, SENDER)).length;
      const activeAtFlush = await count(sql`select count(*)::int as n from workflow_instances where tenant_id = ${tenantId} and status = 'active'`);

      await until(
        async () => (await count(sql`select count(*)::int as n from workflow_instances where tenant_id = ${tenantId} and status = 'completed'`)) === RUNS,
        90_000,
        'every run completed',
      );
      await until(async () => (await count(sql`select count(*)::int as n from messages where tenant_id = ${tenantId} and status in ('queued', 'sending')`)) === 0, 60_000, 'every text sent');
      await sleep(1_000);
      const texts = await textsAtSandbox(sandbox.url, SENDER);
      console.info(`FLUSHALL after ${atFlush} of ${2 * RUNS} texts, ${activeAtFlush} runs active, ≥${orphaned} texts queued after their step; the sandbox received ${texts.length}`);
      expect(atFlush).toBeLessThan(2 * RUNS);
      expect(activeAtFlush).toBeGreaterThan(0);
      expect(wrongTexts(estimates, texts), 'phones without exactly one first and one second text').toEqual([]);
      expect(texts).toHaveLength(2 * RUNS);
    } finally {
      reconciling = false;
      await reconciler;
    }
  }, 180_000);
});
