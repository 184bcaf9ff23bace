// Workflows with real processes: the compiled workflows worker under PM2, killed
// with SIGKILL in the middle of 500 runs of `send_sms → wait PT5S → send_sms`.
// Every run still sends exactly its two texts to the sandbox's Twilio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox } from '@fieldhand/sandbox';
import { emitEstimatesCreated, seedEstimates, textsAtSandbox, twoTextFollowUp, wrongTexts, type LoadEstimate } from '../apps/workers/test/support/workflow-load.js';
import { createTextingTenant, pm2, pm2List, startPm2System, waitFor } from './helpers.js';

const adminKey = 'e2e-workflows-admin-key-0123456789abcdef';
const SENDER = '+17372004099';
const ACCOUNT_SID = `AC${'4'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-workflows-auth-token-0123456789';
const RUNS = 500;

let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let sandbox: RunningSandbox;
let pm2Home: string;
let api: string;
let tenantId: string;
let estimates: LoadEstimate[];

async function call(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const count = async (query: ReturnType<typeof sql>) => (await t.db.execute<{ n: number }>(query)).rows[0]!.n;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  ({ pm2Home, api } = await startPm2System({
    databaseUrl: t.url,
    redisUrl: redis.url,
    prefix: redis.prefix,
    adminKey,
    env: { TWILIO_API_URL: `${sandbox.url}/twilio`, SMS_SEGMENTS_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '100000' },
  }));
  tenantId = await createTextingTenant({ db: t.db, sandboxUrl: sandbox.url, api, adminKey, name: 'E2E Workflows', twilio: { sender: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
  const saved = await call(`/tenants/${tenantId}/workflows`, 'POST', twoTextFollowUp('kill-follow-up', 'PT5S'));
  expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  expect((await call(`/tenants/${tenantId}/workflows/kill-follow-up/enable`, 'POST')).body).toMatchObject({ enabled: true });
  // The customers and estimates a sync would have stored.
  estimates = await seedEstimates(t.db, tenantId, RUNS, 800_000);
}, 90_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await bus?.close();
  await sandbox?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

describe('workflows under PM2', () => {
  it(`kill -9 of the workflows worker during ${RUNS} runs with waits: every run sends exactly its two texts`, async () => {
    await emitEstimatesCreated(bus, tenantId, estimates);
    await waitFor(async () => ((await textsAtSandbox(sandbox.url, SENDER)).length >= 250 ? true : undefined), 60_000, 'the first 250 texts at the sandbox');
    const worker = pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-workflows')!;
    process.kill(worker.pid, 'SIGKILL');
    const atKill = (await textsAtSandbox(sandbox.url, SENDER)).length;
    const activeAtKill = await count(sql`select count(*)::int as n from workflow_instances where tenant_id = ${tenantId} and status = 'active'`);

    await waitFor(
      async () => {
        const completed = await count(sql`select count(*)::int as n from workflow_instances where tenant_id = ${tenantId} and status = 'completed'`);
        const open = await count(sql`select count(*)::int as n from messages where tenant_id = ${tenantId} and status in ('queued', 'sending')`);
        return completed === RUNS && open === 0 ? true : undefined;
      },
      90_000,
      'every run completed and every text sent',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-workflows')!.restarts).toBeGreaterThanOrEqual(1);

    const texts = await textsAtSandbox(sandbox.url, SENDER);
    console.info(`kill -9 after ${atKill} of ${2 * RUNS} texts with ${activeAtKill} runs active; the sandbox received ${texts.length}`);
    expect(atKill).toBeLessThan(2 * RUNS);
    expect(activeAtKill).toBeGreaterThan(0);
    const wrong = wrongTexts(estimates, texts);
    // On a miss, what the ledger holds for those phones is the first thing to look at.
    const ledger = wrong.length
      ? (await t.db.execute(sql`select "to", status, idempotency_key, status_history from messages where tenant_id = ${tenantId} and "to" = any(${sql.param(wrong.map((w) => w.phone))}::text[])`)).rows
      : [];
    expect(wrong, `phones without exactly one first and one second text; their ledger rows: ${JSON.stringify(ledger)}`).toEqual([]);
    expect(texts).toHaveLength(2 * RUNS);
    // No step is left failed or running: the killed worker's jobs were retried, not lost.
    expect(await count(sql`select count(*)::int as n from workflow_step_runs where tenant_id = ${tenantId} and status <> 'completed'`)).toBe(0);
  }, 150_000);
});
