import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { createSandbox, type RunningSandbox } from '../../../apps/sandbox/src/index.js';
import { createTenant, findTenant, messages, outbox, type TenantRow } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { EVENT_CATALOG, isEventType } from '@fieldhand/events';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import {
  applyEarlyStatus,
  createOutboundMessage,
  processInbound,
  receiveInbound,
  receiveStatus,
  SenderRateLimit,
  sendMessage,
  setConsent,
  setConsentFromGhl,
  TwilioClients,
  type InboundJob,
  type SmsDeps,
} from '../src/index.js';
import { changeConsent } from '../src/consent.js';

const SENDER = '+17372004099';
const ACCOUNT_SID = `AC${'8'.repeat(32)}`;
const AUTH_TOKEN = 'events-test-auth-token-0123456789';
const NOON = new Date('2030-06-03T17:00:00Z');

let t: TestDatabase;
let redis: TestRedis;
let sandbox: RunningSandbox;
let deps: SmsDeps;
let tenant: TenantRow;
let sid = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  sandbox = await createSandbox({ logLevel: 'silent', twilioStatusStepMs: 60_000 }).listen(0);
  await fetch(`${sandbox.url}/_sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: SENDER, smsUrl: 'http://127.0.0.1:9/sms' }] } }),
  });
  deps = {
    db: t.db,
    bus: new JobBus(jobCatalog, redis.connect('producer'), redis.prefix),
    logger: createLogger({ name: 'sms-events-test', level: 'silent' }),
    twilio: new TwilioClients(`${sandbox.url}/twilio`, 5_000),
    rateLimit: new SenderRateLimit(redis.connect('worker'), redis.prefix),
    settings: { publicBaseUrl: 'http://127.0.0.1:9', segmentsPerSecond: 0 },
    clock: () => NOON,
  };
  const created = await createTenant(t.db, { name: 'Events HVAC', timezone: 'America/Chicago', twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
  tenant = (await findTenant(t.db, created.id))!;
});

afterAll(async () => {
  await deps.bus.close();
  await sandbox.close();
  await redis.cleanup();
  await t.drop();
});

/** A text from `from` through the webhook path: stored, then followed up as the sms worker does. */
async function inbound(from: string, body: string): Promise<{ messageId: string; job: InboundJob }> {
  const result = await receiveInbound(t.db, tenant, { From: from, To: SENDER, Body: body, MessageSid: `SM${String(++sid).padStart(32, '0')}` }, 'corr-events');
  const job = result.inbox!.payload as InboundJob;
  return { messageId: job.messageId, job };
}

const outboxRows = (jobIds: string[]) => t.db.select().from(outbox).where(inArray(outbox.jobId, jobIds));
const eventRowsOf = async (type: string) => (await t.db.select().from(outbox).where(eq(outbox.jobName, 'events.publish'))).filter((r) => r.payload.type === type);

/** The events.publish job on the events queue, checked against the envelope and the event catalog. */
async function publishedEvent(jobId: string) {
  const job = await deps.bus.queue('events').getJob(jobId);
  expect(job, `events job ${jobId}`).toBeDefined();
  const envelope = job!.data as { tenantId: string; id: string; type: string; timestamp: string; data: Record<string, unknown>; fromOutbox?: boolean };
  expect(job!.name).toBe('events.publish');
  expect(envelope.fromOutbox).toBe(true);
  expect(envelope.id).toBe(`evt_${jobId.slice('ev-'.length)}`);
  expect(envelope.tenantId).toBe(tenant.id);
  expect(Number.isNaN(Date.parse(envelope.timestamp))).toBe(false);
  expect(isEventType(envelope.type)).toBe(true);
  expect(EVENT_CATALOG[envelope.type as keyof typeof EVENT_CATALOG].data.safeParse(envelope.data).success).toBe(true);
  return envelope;
}

describe('inbound texts', () => {
  it('a plain reply is reported once as message.received, with its text and numbers', async () => {
    const from = '+15125550301';
    const { messageId, job } = await inbound(from, 'yes, can you call me Thursday?');
    expect(await processInbound(deps, job)).toEqual({ canceled: 0, event: 'sms.replied' });
    const event = await publishedEvent(`ev-msg-received-${messageId}`);
    expect(event).toMatchObject({ type: 'message.received', data: { messageId, phone: from, from, to: SENDER, body: 'yes, can you call me Thursday?' } });

    // The follow-up retried (its job ran twice): the same event id, one job.
    await processInbound(deps, job);
    const jobs = await deps.bus.queue('events').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.filter((j) => j.id === `ev-msg-received-${messageId}`)).toHaveLength(1);
  });

  it('a STOP is consent.opted_out (written in the webhook transaction), not a message.received; a second STOP reports nothing', async () => {
    const from = '+15125550302';
    const { messageId, job } = await inbound(from, 'STOP');
    // Committed with the consent change, before any worker ran.
    const [row] = await outboxRows([`ev-consent-msg-${messageId}`]);
    expect(row?.payload).toMatchObject({ type: 'consent.opted_out', data: { phone: from, source: 'inbound_sms', keyword: 'STOP' } });

    await processInbound(deps, job);
    expect((await publishedEvent(`ev-consent-msg-${messageId}`)).type).toBe('consent.opted_out');
    expect(await outboxRows([`ev-msg-received-${messageId}`])).toEqual([]);

    const again = await inbound(from, 'stop');
    await processInbound(deps, again.job);
    expect(await outboxRows([`ev-consent-msg-${again.messageId}`])).toEqual([]);

    const back = await inbound(from, 'START');
    await processInbound(deps, back.job);
    expect(await publishedEvent(`ev-consent-msg-${back.messageId}`)).toMatchObject({ type: 'consent.opted_in', data: { phone: from, source: 'inbound_sms', keyword: 'START' } });
  });

  it('HELP and a C (a reminder answer, decided by the reminders worker) are not reported as message.received here', async () => {
    const help = await inbound('+15125550303', 'HELP');
    await processInbound(deps, help.job);
    const c = await inbound('+15125550303', 'C');
    expect((await processInbound(deps, c.job)).event).toBe('reminder.confirm');
    expect(await outboxRows([`ev-msg-received-${help.messageId}`, `ev-msg-received-${c.messageId}`])).toEqual([]);
  });
});

describe('consent changes from every path', () => {
  it('an operator (api) and GoHighLevel (ghl) report consent.opted_out / consent.opted_in', async () => {
    const phone = '+15125550304';
    await setConsent(deps, { tenantId: tenant.id, phone, optOut: true, keyword: null, source: 'api' });
    await setConsentFromGhl(deps, { tenantId: tenant.id, phone, optOut: false, keyword: null });
    // GHL may not lift an operator's opt-out: nothing changed, nothing reported.
    const forPhone = async (type: string) => (await eventRowsOf(type)).filter((r) => (r.payload.data as { phone: string }).phone === phone);
    expect(await forPhone('consent.opted_in')).toEqual([]);
    const [out] = await forPhone('consent.opted_out');
    expect(out!.payload.data).toMatchObject({ phone, source: 'api' });
    await publishedEvent(out!.jobId);

    const other = '+15125550305';
    await setConsentFromGhl(deps, { tenantId: tenant.id, phone: other, optOut: true, keyword: null });
    await setConsentFromGhl(deps, { tenantId: tenant.id, phone: other, optOut: false, keyword: null });
    const ghl = (await eventRowsOf('consent.opted_in')).filter((r) => (r.payload.data as { phone: string }).phone === other);
    expect(ghl.map((r) => r.payload.data)).toEqual([{ phone: other, source: 'ghl', keyword: null }]);
    await publishedEvent(ghl[0]!.jobId);
  });

  it('a consent change whose transaction rolls back reports nothing', async () => {
    const phone = '+15125550306';
    await expect(
      t.db.transaction(async (tx) => {
        await changeConsent(tx, { tenantId: tenant.id, phone, optOut: true, keyword: 'STOP', source: 'inbound_sms' }, 'rolled-back');
        throw new Error('the webhook failed after recording');
      }),
    ).rejects.toThrow('the webhook failed');
    expect(await outboxRows(['ev-consent-rolled-back'])).toEqual([]);
  });

  it("a carrier's 21610 at send time is consent.opted_out (source twilio_21610) and the text's message.status failed", async () => {
    const to = '+15005550004';
    const { message } = await createOutboundMessage(t.db, deps.bus, { tenantId: tenant.id, to, body: 'Your estimate is ready' }, deps.logger);
    expect(await sendMessage(deps, { tenantId: tenant.id, messageId: message.id })).toBe('failed');
    expect(await publishedEvent(`ev-consent-21610-${message.id}`)).toMatchObject({ type: 'consent.opted_out', data: { phone: to, source: 'twilio_21610' } });
    expect(await publishedEvent(`ev-msg-${message.id}-failed`)).toMatchObject({ type: 'message.status', data: { messageId: message.id, phone: to, status: 'failed', errorCode: 21610 } });
  });
});

describe('outbound statuses', () => {
  async function acceptedText(to: string): Promise<{ id: string; sid: string }> {
    const { message } = await createOutboundMessage(t.db, deps.bus, { tenantId: tenant.id, to, body: `Status test ${to}` }, deps.logger);
    expect(await sendMessage(deps, { tenantId: tenant.id, messageId: message.id })).toBe('accepted');
    const [row] = await t.db.select().from(messages).where(eq(messages.id, message.id));
    return { id: message.id, sid: row!.twilioSid! };
  }

  it('a delivered callback is message.status delivered once; a repeat or a later final status reports nothing more', async () => {
    const to = '+15125550307';
    const { id, sid: messageSid } = await acceptedText(to);
    await receiveStatus(t.db, { tenantId: tenant.id }, { MessageSid: messageSid, MessageStatus: 'sent' }, 'corr', deps.bus);
    expect(await outboxRows([`ev-msg-${id}-sent`])).toEqual([]);
    await receiveStatus(t.db, { tenantId: tenant.id }, { MessageSid: messageSid, MessageStatus: 'delivered' }, 'corr', deps.bus);
    await receiveStatus(t.db, { tenantId: tenant.id }, { MessageSid: messageSid, MessageStatus: 'delivered' }, 'corr', deps.bus);
    await receiveStatus(t.db, { tenantId: tenant.id }, { MessageSid: messageSid, MessageStatus: 'undelivered', ErrorCode: '30003' }, 'corr', deps.bus);
    expect(await outboxRows([`ev-msg-${id}-delivered`])).toHaveLength(1);
    expect(await outboxRows([`ev-msg-${id}-undelivered`])).toEqual([]);
    expect(await publishedEvent(`ev-msg-${id}-delivered`)).toMatchObject({ type: 'message.status', data: { messageId: id, phone: to, status: 'delivered' } });
  });

  it('an early callback applied by the sms worker reports undelivered with its error code', async () => {
    const to = '+15125550308';
    const { id, sid: messageSid } = await acceptedText(to);
    expect(await applyEarlyStatus(deps, { tenantId: tenant.id, messageSid, status: 'undelivered', errorCode: 30005 }, { lastAttempt: false })).toBe('applied');
    expect(await publishedEvent(`ev-msg-${id}-undelivered`)).toMatchObject({ data: { status: 'undelivered', errorCode: 30005 } });
  });

  it('a text failed because its tenant has no Twilio sender is reported as message.status failed', async () => {
    const bare = await createTenant(t.db, { name: 'No Sender Co', timezone: 'America/Chicago' });
    const { message } = await createOutboundMessage(t.db, deps.bus, { tenantId: bare.id, to: '+15125550310', body: 'Nowhere to send from' }, deps.logger);
    await expect(sendMessage(deps, { tenantId: bare.id, messageId: message.id })).rejects.toThrow(/no Twilio sender/);
    const job = await deps.bus.queue('events').getJob(`ev-msg-${message.id}-failed`);
    expect(job?.data).toMatchObject({ tenantId: bare.id, type: 'message.status', data: { messageId: message.id, phone: '+15125550310', status: 'failed' } });
  });

  it('a text that ends unknown is message.held, with the reason a person needs', async () => {
    const to = '+15125550309';
    const { message } = await createOutboundMessage(t.db, deps.bus, { tenantId: tenant.id, to, body: 'Held text' }, deps.logger);
    // An attempt claimed it and died before Twilio had it: nothing to adopt.
    await t.db.update(messages).set({ status: 'sending', claimedAt: new Date() }).where(eq(messages.id, message.id));
    expect(await sendMessage(deps, { tenantId: tenant.id, messageId: message.id })).toBe('unknown');
    const held = await publishedEvent(`ev-msg-${message.id}-held`);
    expect(held).toMatchObject({ type: 'message.held', data: { messageId: message.id, phone: to, body: 'Held text' } });
    expect(String(held.data.reason)).toMatch(/not resent/);
  });
});
