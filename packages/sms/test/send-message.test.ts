import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { createSandbox, type RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { acceptedStatement, claimStatement, createTenant, findConsent, lockConsent, messages, openConsentGate, recordConsent, SessionStatement } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { createOutboundMessage, SenderRateLimit, sendMessage, TwilioClients, type SmsDeps } from '../src/index.js';

const SENDER = '+17372004077';
const ACCOUNT_SID = `AC${'7'.repeat(32)}`;
const AUTH_TOKEN = 'send-test-auth-token-0123456789';
// Noon in Chicago: inside every mainland send window.
const NOON = new Date('2030-06-03T17:00:00Z');

let t: TestDatabase;
let redis: TestRedis;
let sandbox: RunningSandbox;
let deps: SmsDeps;
let tenantId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: 'http://127.0.0.1:9/sms' }] } }),
  });
  const bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  deps = {
    db: t.db,
    bus,
    logger: createLogger({ name: 'send-test', level: 'silent' }),
    twilio: new TwilioClients(`${sandbox.url}/twilio`, 5_000),
    rateLimit: new SenderRateLimit(redis.connect('worker'), redis.prefix),
    settings: { publicBaseUrl: 'http://127.0.0.1:9', segmentsPerSecond: 0 },
    clock: () => NOON,
  };
  const tenant = await createTenant(t.db, { name: 'Send HVAC', timezone: 'America/Chicago', twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
  tenantId = tenant.id;
});

afterAll(async () => {
  await deps.bus.close();
  await sandbox.close();
  await redis.cleanup();
  await t.drop();
});

const atSandbox = async (to: string) =>
  ((await (await fetch(`${sandbox.url}/_sandbox/twilio/messages`)).json()) as Array<{ to: string; body: string; sid: string }>).filter((m) => m.to === to);

async function queue(to: string, body: string) {
  const { message } = await createOutboundMessage(t.db, deps.bus, { tenantId, to, body, idempotencyKey: `${to}-${body}` }, deps.logger);
  return message.id;
}

async function rowOf(id: string) {
  const [row] = await t.db.select().from(messages).where(eq(messages.id, id));
  return row!;
}

describe('sendMessage', () => {
  it('sends one text after another on the pool\'s connections (each prepares its statements once)', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => queue(`+151255502${String(i).padStart(2, '0')}`, 'Batch')));
    for (const id of ids) expect(await sendMessage(deps, { tenantId, messageId: id })).toBe('accepted');
    const outcomes = await Promise.all(ids.map((id) => sendMessage(deps, { tenantId, messageId: id })));
    expect(outcomes).toEqual(ids.map(() => 'already-final'));
  });

  it('sends once: the row is accepted with the SID and sender Twilio answered, and a second run sends nothing', async () => {
    const to = '+15125550101';
    const id = await queue(to, 'Your tech is on the way');
    expect(await sendMessage(deps, { tenantId, messageId: id })).toBe('accepted');
    expect(await sendMessage(deps, { tenantId, messageId: id })).toBe('already-final');

    const sent = await atSandbox(to);
    expect(sent).toHaveLength(1);
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'accepted', twilioSid: sent[0]!.sid, from: SENDER });
    expect(row.claimedAt).toBeInstanceOf(Date);
    expect(row.statusHistory.map((e) => `${e.status}/${e.source}`)).toEqual(['queued/api', 'sending/worker', 'accepted/twilio']);
  });

  it('an opt-out committed while the send waits for the consent lock cancels it before Twilio', async () => {
    const to = '+15125550102';
    const id = await queue(to, 'Reminder: tomorrow 9am');
    const stop = await t.db.$client.connect();
    try {
      // The STOP side: exclusive lock first, opt-out committed only after the send is waiting.
      await stop.query('begin');
      await stop.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${tenantId}:${to}`]);
      const sending = sendMessage(deps, { tenantId, messageId: id });
      await waitForAdvisoryLockWaiter();
      await stop.query(
        `insert into communication_preferences (tenant_id, phone, sms_opt_out, keyword, source) values ($1, $2, true, 'STOP', 'inbound_sms')`,
        [tenantId, to],
      );
      await stop.query('commit');
      expect(await sending).toBe('canceled-opted-out');
    } finally {
      stop.release();
    }
    expect(await atSandbox(to)).toHaveLength(0);
    expect(await rowOf(id)).toMatchObject({ status: 'canceled', errorMessage: 'recipient opted out' });
  });

  it('a send already holding the consent lock makes the opt-out wait until Twilio has answered', async () => {
    const to = '+15125550103';
    const gate = await openConsentGate(t.db, tenantId, to);
    expect(gate.optedOut).toBe(false);
    let stopped = false;
    const stop = t.db.transaction(async (tx) => {
      await lockConsent(tx, tenantId, to, 'exclusive');
      await recordConsent(tx, { tenantId, phone: to, optOut: true, keyword: 'STOP', source: 'inbound_sms' });
    }).then(() => (stopped = true));
    await waitForAdvisoryLockWaiter();
    expect(stopped).toBe(false);
    await gate.commit();
    await stop;
    expect(await findConsent(t.db, tenantId, to)).toMatchObject({ smsOptOut: true });
  });

  it('a second run of a send still at Twilio waits for it and takes its outcome, instead of holding the text as unknown', async () => {
    // BullMQ runs a job again beside itself when a lock renewal is missed: the twin finds the row `sending`.
    const to = '+15125550107';
    const id = await queue(to, 'Twin at Twilio');
    const inFlight = await openConsentGate(t.db, tenantId, to, claimStatement(id));
    try {
      expect(inFlight.claimed).toBe(true);
      let twinDone = false;
      const twin = sendMessage(deps, { tenantId, messageId: id }).finally(() => (twinDone = true));
      await waitForAdvisoryLockWaiter();
      expect(twinDone).toBe(false);
      await inFlight.commit(acceptedStatement(id, `SM${'7'.repeat(32)}`, SENDER));
      expect(await twin).toBe('already-final');
    } finally {
      await inFlight.release();
    }
    expect(await rowOf(id)).toMatchObject({ status: 'accepted', twilioSid: `SM${'7'.repeat(32)}` });
    await expectNoAdvisoryLocks();
  });

  it('writes the accepted row with values inlined safely, whatever characters they hold', async () => {
    const id = await queue('+15125550104', 'Quotes');
    await t.db.update(messages).set({ status: 'sending' }).where(eq(messages.id, id));
    const gate = await openConsentGate(t.db, tenantId, '+15125550104');
    await gate.commit(acceptedStatement(id, `SM'x\\y"; drop table messages; --`, `+1'\\`));
    expect(await rowOf(id)).toMatchObject({ status: 'accepted', twilioSid: `SM'x\\y"; drop table messages; --`, from: `+1'\\` });
  });

  it('the claim commits before the gate opens: a send that dies at Twilio leaves the row `sending`, and a second claim fails', async () => {
    const to = '+15125550106';
    const id = await queue(to, 'Crash at Twilio');
    const gate = await openConsentGate(t.db, tenantId, to, claimStatement(id));
    expect(gate.claimed).toBe(true);
    await gate.release(); // the attempt dies: its gate rolls back
    expect(await rowOf(id)).toMatchObject({ status: 'sending', claimedAt: expect.any(Date) });

    const again = await openConsentGate(t.db, tenantId, to, claimStatement(id));
    expect(again.claimed).toBe(false);
    await again.release();
    await expectNoAdvisoryLocks();
  });

  it('a failed gate statement rolls back and hands the pool a fresh connection', async () => {
    const gate = await openConsentGate(t.db, tenantId, '+15125550105');
    const divide = new SessionStatement('test_divide', '(int) as select 1 / $1');
    await expect(gate.commit(divide.execute('0'))).rejects.toThrow(/division by zero/);
    await gate.release();
    await expectNoAdvisoryLocks();
  });
});

// pg_locks spans the cluster; other test files run at the same time.
const THIS_DATABASE = sql`database = (select oid from pg_database where datname = current_database())`;

async function expectNoAdvisoryLocks(): Promise<void> {
  const { rows } = await t.db.execute<{ locks: number }>(sql`select count(*)::int as locks from pg_locks where locktype = 'advisory' and ${THIS_DATABASE}`);
  expect(rows[0]!.locks).toBe(0);
}

async function waitForAdvisoryLockWaiter(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await t.db.execute<{ waiting: number }>(sql`select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted and ${THIS_DATABASE}`);
    if (rows[0]!.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no session ever waited for the consent lock');
}
