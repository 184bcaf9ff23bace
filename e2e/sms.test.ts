// SMS with real processes: the compiled sms worker under PM2 sending to the
// sandbox's Twilio, killed with SIGKILL in the middle of 2,000 sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createSandbox, type RunningSandbox } from '@fieldhand/sandbox';
import { createTextingTenant, pm2, pm2List, startPm2System, waitFor } from './helpers.js';

const adminKey = 'e2e-sms-admin-key-0123456789abcdef';
const SENDER = '+17372004077';
const ACCOUNT_SID = `AC${'7'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-sms-auth-token-0123456789';
const SENDS = 2_000;

let t: TestDatabase;
let redis: TestRedis;
let sandbox: RunningSandbox;
let pm2Home: string;
let api: string;
let tenantId: string;

async function call(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type SandboxMessage = { sid: string; to: string; from: string; body: string; direction: string };
async function sentAtSandbox(): Promise<SandboxMessage[]> {
  const all = (await (await fetch(`${sandbox.url}/_sandbox/twilio/messages`)).json()) as SandboxMessage[];
  return all.filter((m) => m.from === SENDER && m.direction !== 'inbound');
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 50 }).listen(0);
  ({ pm2Home, api } = await startPm2System({
    databaseUrl: t.url,
    redisUrl: redis.url,
    prefix: redis.prefix,
    adminKey,
    env: { TWILIO_API_URL: `${sandbox.url}/twilio`, SMS_SEGMENTS_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '100000' },
  }));
  tenantId = await createTextingTenant({ db: t.db, sandboxUrl: sandbox.url, api, adminKey, name: 'E2E SMS', twilio: { sender: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
}, 90_000);

afterAll(async () => {
  if (pm2Home) pm2(pm2Home, ['kill']);
  await sandbox?.close();
  await redis?.cleanup();
  await t?.drop();
}, 60_000);

describe('sms under PM2', () => {
  it(`kill -9 of the sms worker during ${SENDS} sends: each message sent exactly once or marked unknown`, async () => {
    // Austin numbers (America/Chicago, no state cut-off), one distinct body per message.
    const requests = Array.from({ length: SENDS }, (_, i) => ({ to: `+1512300${String(i).padStart(4, '0')}`, body: `Reminder ${i}`, idempotencyKey: `kill-${i}` }));
    for (let i = 0; i < requests.length; i += 50) {
      const batch = await Promise.all(requests.slice(i, i + 50).map((r) => call(`/tenants/${tenantId}/messages`, 'POST', r)));
      for (const res of batch) expect(res.status, JSON.stringify(res.body)).toBe(202);
    }

    await waitFor(async () => ((await sentAtSandbox()).length >= 200 ? true : undefined), 60_000, 'the first 200 texts at the sandbox');
    const worker = pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-sms')!;
    process.kill(worker.pid, 'SIGKILL');

    const rows = await waitFor(async () => {
      const { rows: pending } = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where tenant_id = ${tenantId} and status in ('queued', 'sending')`);
      if (pending[0]!.n > 0) return undefined;
      return (await t.db.execute<{ body: string; status: string; twilio_sid: string | null }>(sql`select body, status, twilio_sid from messages where tenant_id = ${tenantId} and direction = 'outbound'`)).rows;
    }, 120_000, 'every message settled');
    expect(pm2List(pm2Home).find((p) => p.name === 'fieldhand-worker-sms')!.restarts).toBeGreaterThanOrEqual(1);

    const atSandbox = await sentAtSandbox();
    const perBody = new Map<string, number>();
    for (const m of atSandbox) perBody.set(m.body, (perBody.get(m.body) ?? 0) + 1);
    expect([...perBody.values()].filter((n) => n > 1), 'texts the sandbox received twice').toEqual([]);

    expect(rows).toHaveLength(SENDS);
    const sandboxSids = new Set(atSandbox.map((m) => m.sid));
    for (const row of rows) {
      expect(['accepted', 'sent', 'delivered', 'unknown'], `${row.body}`).toContain(row.status);
      if (row.status === 'unknown') continue;
      expect(row.twilio_sid && sandboxSids.has(row.twilio_sid), `${row.body} has a Twilio message`).toBe(true);
    }
    const byStatus = rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    console.info(`after kill -9: ${JSON.stringify(byStatus)}; sandbox received ${atSandbox.length}`);
    // Every text the sandbox got belongs to exactly one ledger row.
    expect(atSandbox.length).toBe(rows.filter((r) => r.twilio_sid).length);
  }, 240_000);
});
