import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { communicationPreferences, findConsent, findMessageById, messages, webhookInbox } from '@fieldhand/db';
import { sendMessage } from '@fieldhand/sms';
import { ADMIN_KEY, expectErrorBody } from './support/test-api.js';
import { AUTH_TOKEN, postJson, SENDER, sandboxMessages, sign, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
const admin = { key: ADMIN_KEY };
const path = () => `/api/v1/tenants/${h.tenantId}/messages`;

async function send(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return h.api.request(path(), { method: 'POST', ...admin, body, headers });
}
async function settled(id: string, statuses: string[]) {
  return until(async () => {
    const row = await findMessageById(h.api.db, id);
    return row && statuses.includes(row.status) ? row : undefined;
  }, 15_000, `message ${id} in ${statuses.join('/')}`);
}

beforeAll(async () => {
  h = await startSmsHarness();
  h.startWorker();
});
afterAll(() => h.stop());

describe('POST /messages', () => {
  it('queues a message (202), the same idempotency key returns the same message, and it is delivered with its history', async () => {
    const first = await send({ to: '(512) 703-1001', body: 'Your technician is on the way.' }, { 'Idempotency-Key': 'visit-1' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ to: '+15127031001', direction: 'outbound', status: 'queued', segments: 1, idempotencyKey: 'visit-1' });
    const again = await send({ to: '+15127031001', body: 'Your technician is on the way.', idempotencyKey: 'visit-1' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);

    await settled(first.body.id, ['delivered']);
    const got = await h.api.request(`${path()}/${first.body.id}`, admin);
    expect(got.status).toBe(200);
    expect(got.body.twilioSid).toMatch(/^SM/);
    expect(got.body.from).toBe(SENDER);
    expect(got.body.statusHistory.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'accepted', 'sent', 'delivered']);
    const atSandbox = (await sandboxMessages(h.sandbox)).filter((m) => m.to === '+15127031001');
    expect(atSandbox).toHaveLength(1);
  });

  it('renders templates; refuses invalid numbers, malformed templates and missing variables with 400', async () => {
    const ok = await send({ to: '5127031002', template: 'Hi {{name}}, your estimate is ready.', vars: { name: 'Ana' } });
    expect(ok.status).toBe(202);
    expect(ok.body.body).toBe('Hi Ana, your estimate is ready.');
    expectErrorBody(await send({ to: '555-0123', body: 'x' }), 400, 'validation_failed');
    expectErrorBody(await send({ to: '5127031002', template: 'Hi {{name}}' }), 400, 'validation_failed');
    expectErrorBody(await send({ to: '5127031002', template: 'Hi {{na me}}', vars: {} }), 400, 'validation_failed');
    expectErrorBody(await send({ to: '5127031002', body: 'x', template: 'y' }), 400, 'validation_failed');
    expectErrorBody(await h.api.request(`/api/v1/tenants/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages`, { method: 'POST', ...admin, body: { to: '5127031002', body: 'x' } }), 404);
  });

  it('lists with filters and cursor pagination', async () => {
    for (const n of [1, 2, 3]) expect((await send({ to: '+15127031003', body: `list ${n}` })).status).toBe(202);
    const page1 = await h.api.request(`${path()}?phone=${encodeURIComponent('(512) 703-1003')}&limit=2`, admin);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((m: { body: string }) => m.body)).toEqual(['list 3', 'list 2']);
    const page2 = await h.api.request(`${path()}?phone=%2B15127031003&limit=2&cursor=${page1.body.nextCursor}`, admin);
    expect(page2.body.data.map((m: { body: string }) => m.body)).toEqual(['list 1']);
    expect(page2.body.nextCursor).toBeNull();
    const inbound = await h.api.request(`${path()}?direction=inbound&phone=%2B15127031003`, admin);
    expect(inbound.body.data).toEqual([]);
    expectErrorBody(await h.api.request(`${path()}?phone=nope`, admin), 400);
  });
});

describe('Twilio refusals', () => {
  it('21610 records the opt-out and fails without retry; 21211/21612/21614/21408 fail without retry', async () => {
    const unsub = await send({ to: '+15005550004', body: 'x' });
    const failed = await settled(unsub.body.id, ['failed']);
    expect(failed.errorCode).toBe(21610);
    expect(await findConsent(h.api.db, h.tenantId, '+15005550004')).toMatchObject({ smsOptOut: true, source: 'twilio_21610' });
    for (const [to, code] of [['+15005550001', 21211], ['+15005550002', 21612], ['+15005550009', 21614], ['+15005550003', 21408]] as const) {
      const res = await send({ to, body: `refused ${code}` });
      expect((await settled(res.body.id, ['failed'])).errorCode).toBe(code);
    }
    expect(await h.api.bus.queue('sms-send').getJobCountByTypes('failed')).toBe(0);
    expect(await h.api.bus.queue('dead-letter').getJobCountByTypes('waiting')).toBe(0);
  });

  it('retries a 429 with backoff and sends once Twilio accepts', async () => {
    await postJson(`${h.sandbox.url}/_sandbox/faults`, { seed: 1, rules: [{ vendor: 'twilio', method: 'POST', kind: 'http-error', status: 429 }] }, 'PUT');
    const res = await send({ to: '+15127031004', body: 'after a 429' });
    await until(async () => {
      const row = await findMessageById(h.api.db, res.body.id);
      return row?.statusHistory.some((e) => e.status === 'queued' && e.source === 'retry');
    }, 10_000, 'a retry');
    await fetch(`${h.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    await settled(res.body.id, ['accepted', 'sent', 'delivered']);
    expect((await sandboxMessages(h.sandbox)).filter((m) => m.to === '+15127031004')).toHaveLength(1);
  });
});

describe('a worker that died mid-send', () => {
  it('adopts the message Twilio already has instead of resending, or holds it as unknown', async () => {
    // Sent to Twilio, but the attempt died before storing the SID.
    const res = await send({ to: '+15127031005', body: 'sent before the crash' });
    await settled(res.body.id, ['accepted', 'sent', 'delivered']);
    const sid = (await findMessageById(h.api.db, res.body.id))!.twilioSid;
    await h.api.db.update(messages).set({ status: 'sending', twilioSid: null, claimedAt: new Date(Date.now() - 5_000) }).where(eq(messages.id, res.body.id));
    expect(await sendMessage(h.deps, { tenantId: h.tenantId, messageId: res.body.id })).toBe('adopted');
    expect((await findMessageById(h.api.db, res.body.id))!.twilioSid).toBe(sid);

    // Claimed, then died before Twilio heard of it: we cannot tell, so nothing is resent.
    const [lost] = await h.api.db
      .insert(messages)
      .values({ tenantId: h.tenantId, direction: 'outbound', to: '+15127031006', body: 'never reached Twilio', status: 'sending', segments: 1, claimedAt: new Date() })
      .returning();
    expect(await sendMessage(h.deps, { tenantId: h.tenantId, messageId: lost!.id })).toBe('unknown');
    expect((await findMessageById(h.api.db, lost!.id))!.status).toBe('unknown');
    expect((await sandboxMessages(h.sandbox)).filter((m) => m.to === '+15127031006')).toHaveLength(0);
  });
});

describe('webhook signatures (must show 2)', () => {
  const inboundParams = (sid: string, body: string, from = '+15127032001') => ({
    MessageSid: sid,
    AccountSid: `AC${'5'.repeat(32)}`,
    From: from,
    To: SENDER,
    Body: body,
    NumMedia: '0',
    NumSegments: '1',
  });
  const post = (route: string, params: Record<string, string>, signature?: string) =>
    fetch(`${h.api.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      body: new URLSearchParams(params),
    });

  it('answers 403 to unsigned and wrongly signed webhooks, and stores nothing', async () => {
    const params = inboundParams('SM' + 'a'.repeat(32), 'STOP');
    expect((await post('/webhooks/twilio/sms', params)).status).toBe(403);
    expect((await post('/webhooks/twilio/sms', params, sign('wrong-token', `${h.api.url}/webhooks/twilio/sms`, params))).status).toBe(403);
    // Signed for another URL (what Express sees behind a proxy is not what Twilio called).
    expect((await post('/webhooks/twilio/sms', params, sign(AUTH_TOKEN, 'http://internal:3000/webhooks/twilio/sms', params))).status).toBe(403);
    const status = { MessageSid: 'SM' + 'b'.repeat(32), MessageStatus: 'delivered', AccountSid: params.AccountSid };
    const statusPath = `/webhooks/twilio/status/${h.tenantId}`;
    expect((await post(statusPath, status)).status).toBe(403);
    expect((await post(statusPath, status, sign('wrong', `${h.api.url}${statusPath}`, status))).status).toBe(403);
    expect(await h.api.db.select().from(messages).where(eq(messages.twilioSid, params.MessageSid))).toHaveLength(0);
    expect(await findConsent(h.api.db, h.tenantId, '+15127032001')).toBeUndefined();
  });

  it('a valid redelivery of the same MessageSid answers 200 with no second row and no second action', async () => {
    const params = inboundParams('SM' + 'c'.repeat(32), 'STOP');
    const url = `${h.api.url}/webhooks/twilio/sms`;
    const first = await post('/webhooks/twilio/sms', params, sign(AUTH_TOKEN, url, params));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await first.text()).toContain('<Message>Acme HVAC: You are unsubscribed');
    const consent = await findConsent(h.api.db, h.tenantId, '+15127032001');
    expect(consent).toMatchObject({ smsOptOut: true, keyword: 'STOP', source: 'inbound_sms' });

    const again = await post('/webhooks/twilio/sms', params, sign(AUTH_TOKEN, url, params));
    expect(again.status).toBe(200);
    expect(await again.text()).not.toContain('<Message>');
    expect(await h.api.db.select().from(messages).where(eq(messages.twilioSid, params.MessageSid))).toHaveLength(1);
    expect(await h.api.db.select().from(webhookInbox).where(eq(webhookInbox.externalId, params.MessageSid))).toHaveLength(1);
    expect((await findConsent(h.api.db, h.tenantId, '+15127032001'))!.changedAt).toEqual(consent!.changedAt);
  });

  it('status callbacks: deduplicated, final states kept over a late sent, unknown SIDs acknowledged', async () => {
    const res = await send({ to: '+15127031007', body: 'status order' });
    const row = await settled(res.body.id, ['delivered']);
    // The send named the tenant in its StatusCallback URL: the sandbox calls back there.
    const statusPath = `/webhooks/twilio/status/${h.tenantId}`;
    const url = `${h.api.url}${statusPath}`;
    const late = { MessageSid: row.twilioSid!, MessageStatus: 'sent', AccountSid: `AC${'5'.repeat(32)}` };
    expect((await post(statusPath, late, sign(AUTH_TOKEN, url, late))).status).toBe(200);
    const dup = { ...late, MessageStatus: 'delivered' };
    expect((await post(statusPath, dup, sign(AUTH_TOKEN, url, dup))).status).toBe(200);
    const after = (await findMessageById(h.api.db, res.body.id))!;
    expect(after.status).toBe('delivered');
    expect(after.statusHistory.filter((e) => e.status === 'delivered')).toHaveLength(1);
    expect(after.statusHistory.filter((e) => e.status === 'sent')).toHaveLength(1);
    const unknown = { MessageSid: 'SM' + 'd'.repeat(32), MessageStatus: 'delivered', AccountSid: late.AccountSid };
    expect((await post(statusPath, unknown, sign(AUTH_TOKEN, url, unknown))).status).toBe(200);

    const failing = await send({ to: '+15127031008', body: 'will fail late' });
    const failed = await settled(failing.body.id, ['delivered']);
    const undelivered = { MessageSid: failed.twilioSid!, MessageStatus: 'undelivered', ErrorCode: '30007', AccountSid: late.AccountSid };
    await post(statusPath, undelivered, sign(AUTH_TOKEN, url, undelivered));
    // delivered is final too: a contradicting final state is recorded in the history but does not win.
    expect((await findMessageById(h.api.db, failing.body.id))!.statusHistory.some((e) => e.status === 'undelivered' && e.errorCode === 30007)).toBe(true);
  });

  it('a status that arrives before its send stored the MessageSid is kept and applied once the SID is known', async () => {
    const sid = 'SM' + 'e'.repeat(32);
    // A send Twilio has accepted but whose SID is not committed yet (no send job: the row is already past it).
    const [row] = await h.api.db
      .insert(messages)
      .values({ tenantId: h.tenantId, direction: 'outbound', to: '+15127031009', body: 'early callback', status: 'sending', segments: 1 })
      .returning();
    const statusPath = `/webhooks/twilio/status/${h.tenantId}`;
    const early = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: `AC${'5'.repeat(32)}` };
    expect((await post(statusPath, early, sign(AUTH_TOKEN, `${h.api.url}${statusPath}`, early))).status).toBe(200);
    const inboxId = `${h.tenantId}:${sid}:delivered`;
    expect(await h.api.db.select().from(webhookInbox).where(eq(webhookInbox.externalId, inboxId))).toHaveLength(1);

    await h.api.db.update(messages).set({ twilioSid: sid, status: 'accepted' }).where(eq(messages.id, row!.id));
    const applied = await settled(row!.id, ['delivered']);
    expect(applied.statusHistory.filter((e) => e.status === 'delivered' && e.source === 'callback')).toHaveLength(1);
    await until(async () => (await h.api.db.select().from(webhookInbox).where(eq(webhookInbox.externalId, inboxId)))[0]?.processedAt, 5_000, 'inbox row processed');
  });
});

describe('consent API', () => {
  it('GET a number never seen is not opted out; PUT records an opt-out that stops queued sends', async () => {
    const phone = encodeURIComponent('(512) 703-3001');
    const none = await h.api.request(`/api/v1/tenants/${h.tenantId}/consent/${phone}`, admin);
    expect(none.body).toEqual({ phone: '+15127033001', optedOut: false, changedAt: null, keyword: null, source: null });
    const put = await h.api.request(`/api/v1/tenants/${h.tenantId}/consent/${phone}`, { method: 'PUT', ...admin, body: { optedOut: true, keyword: 'called the office' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ phone: '+15127033001', optedOut: true, keyword: 'called the office', source: 'api' });
    const res = await send({ to: '+15127033001', body: 'should not go' });
    expect((await settled(res.body.id, ['canceled'])).errorMessage).toMatch(/opted out/);
    expect((await sandboxMessages(h.sandbox)).filter((m) => m.to === '+15127033001')).toHaveLength(0);
    const rows = await h.api.db.select().from(communicationPreferences).where(eq(communicationPreferences.phone, '+15127033001'));
    expect(rows).toHaveLength(1);
    expectErrorBody(await h.api.request(`/api/v1/tenants/${h.tenantId}/consent/nope`, admin), 400);
  });
});
