import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { eq } from 'drizzle-orm';
import {
  findMessageById,
  ghlContacts,
  ghlCustomerLinks,
  messages,
  reminders,
  reminderTextKey,
  stCustomerContacts,
  stCustomers,
  workflowDefinitions,
  workflowInstances,
  workflowTextKey,
} from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody } from './support/test-api.js';
import { ACCOUNT_SID, AUTH_TOKEN, NOON, SENDER, sandboxMessages, sign, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

// The sms worker runs on a clock the tests move: noon by default, late evening for the window.
let now = NOON;
let h: SmsHarness;
const admin = { key: ADMIN_KEY };
const base = () => `/api/v1/tenants/${h.tenantId}/conversations`;
const enc = encodeURIComponent;

let sids = 0;
async function textUs(from: string, body: string): Promise<string> {
  const params = { MessageSid: `SM${String(++sids).padStart(32, '4')}`, AccountSid: ACCOUNT_SID, From: from, To: SENDER, Body: body, NumMedia: '0', NumSegments: '1' };
  const url = `${h.api.url}/webhooks/twilio/sms`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(AUTH_TOKEN, url, params) }, body: new URLSearchParams(params) });
  expect(res.status).toBe(200);
  const [row] = await h.api.db.select().from(messages).where(eq(messages.twilioSid, params.MessageSid));
  return row!.id;
}
const reply = (phone: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  h.api.request(`${base()}/${enc(phone)}/messages`, { method: 'POST', ...admin, body, headers });
const settled = (id: string, statuses: string[]) =>
  until(async () => {
    const row = await findMessageById(h.api.db, id);
    return row && statuses.includes(row.status) ? row : undefined;
  }, 15_000, `message ${id} in ${statuses.join('/')}`);
const reached = async (to: string) => (await sandboxMessages(h.sandbox)).filter((m) => m.to === to);
const backdate = (id: string, at: Date) => h.api.db.update(messages).set({ createdAt: at }).where(eq(messages.id, id));

beforeAll(async () => {
  h = await startSmsHarness({ clock: () => now });
  h.startWorker();
});
afterAll(() => h.stop());

describe('conversations: threads, unread counts, read marks', () => {
  const jane = '+15127039001';

  it('shows a customer reply as an unread, open thread with the customer from ServiceTitan and GHL; read closes it, the next text reopens it', async () => {
    const t = h.tenantId;
    await h.api.db.insert(stCustomers).values({ tenantId: t, id: 501, active: true, modifiedOn: new Date(), raw: {}, name: 'Jane Doe', state: 'TX' });
    await h.api.db.insert(stCustomerContacts).values({ tenantId: t, id: 5011, active: true, modifiedOn: new Date(), raw: {}, customerId: 501, type: 'MobilePhone', value: jane, phone: jane });
    // Another contact with Jane's phone in GHL; the linked one wins.
    await h.api.db.insert(ghlContacts).values([
      { tenantId: t, id: 'ghl-jane', modifiedOn: new Date('2030-01-01'), raw: {}, phone: jane, firstName: 'Jane', lastName: 'Doe' },
      { tenantId: t, id: 'ghl-other', modifiedOn: new Date('2030-02-01'), raw: {}, phone: jane, fullName: 'Someone Else' },
    ]);
    await h.api.db.insert(ghlCustomerLinks).values({ tenantId: t, stCustomerId: 501, ghlContactId: 'ghl-jane', matchedBy: 'phone' });

    const sent = await h.api.request(`/api/v1/tenants/${t}/messages`, { method: 'POST', ...admin, body: { to: jane, body: 'Your estimate is ready.' } });
    await settled(sent.body.id, ['delivered']);
    await textUs(jane, 'yes, can you call me Thursday?');
    await textUs(jane, 'after 3 pm please');

    const list = await h.api.request(`${base()}?status=open`, admin);
    expect(list.status).toBe(200);
    const thread = list.body.data.find((c: { phone: string }) => c.phone === jane);
    expect(thread).toMatchObject({
      unreadCount: 2,
      open: true,
      readAt: null,
      optedOut: false,
      lastMessage: { direction: 'inbound', body: 'after 3 pm please', status: 'received' },
      customer: { id: 501, name: 'Jane Doe' },
      ghlContact: { id: 'ghl-jane', name: 'Jane Doe' },
      lastOutbound: { messageId: sent.body.id, partOf: { kind: 'manual' } },
    });

    const shown = await h.api.request(`${base()}/${enc(jane)}`, admin);
    expect(shown.status).toBe(200);
    expect(shown.body.conversation).toMatchObject({ phone: jane, unreadCount: 2 });
    expect(shown.body.data.map((m: { direction: string; body: string; status: string }) => [m.direction, m.body, m.status])).toEqual([
      ['inbound', 'after 3 pm please', 'received'],
      ['inbound', 'yes, can you call me Thursday?', 'received'],
      ['outbound', 'Your estimate is ready.', 'delivered'],
    ]);
    // Any form the normaliser takes names the same thread.
    expect((await h.api.request(`${base()}/${enc('(512) 703-9001')}`, admin)).body.conversation.phone).toBe(jane);

    const read = await h.api.request(`${base()}/${enc(jane)}/read`, { method: 'POST', ...admin });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ phone: jane, unreadCount: 0 });
    expect((await h.api.request(`${base()}?status=open`, admin)).body.data.map((c: { phone: string }) => c.phone)).not.toContain(jane);
    const all = (await h.api.request(base(), admin)).body.data.find((c: { phone: string }) => c.phone === jane);
    expect(all).toMatchObject({ unreadCount: 0, open: false, readAt: read.body.readAt });

    await textUs(jane, 'also, the side gate is open');
    const reopened = (await h.api.request(`${base()}?status=open`, admin)).body.data.find((c: { phone: string }) => c.phone === jane);
    expect(reopened).toMatchObject({ unreadCount: 1, open: true, lastMessage: { body: 'also, the side gate is open' } });
  });

  it('says what the last outbound text was part of: a workflow run, a reminder, an office reply', async () => {
    const t = h.tenantId;
    const [definition] = await h.api.db.insert(workflowDefinitions).values({ tenantId: t, key: 'estimate-follow-up', version: 1, name: 'Estimate follow-up', document: {} }).returning();
    const [run] = await h.api.db
      .insert(workflowInstances)
      .values({ tenantId: t, definitionId: definition!.id, definitionKey: 'estimate-follow-up', definitionVersion: 1, subjectType: 'estimate', subjectId: '77', status: 'active' })
      .returning();
    const wfPhone = '+15127039002';
    await h.api.db.insert(messages).values({ tenantId: t, direction: 'outbound', to: wfPhone, body: 'Any questions on your estimate?', status: 'delivered', segments: 1, idempotencyKey: workflowTextKey(run!.id, 'text-1') });

    const reminderPhone = '+15127039003';
    const start = new Date('2030-06-04T15:00:00Z');
    const key = reminderTextKey({ appointmentId: 8801, offsetMinutes: 120, appointmentStart: start });
    const [text] = await h.api.db.insert(messages).values({ tenantId: t, direction: 'outbound', to: reminderPhone, body: 'See you at 10', status: 'delivered', segments: 1, idempotencyKey: key }).returning();
    const [reminder] = await h.api.db
      .insert(reminders)
      .values({ tenantId: t, appointmentId: 8801, offsetMinutes: 120, appointmentStart: start, dueAt: start, status: 'sent', phone: reminderPhone, messageId: text!.id })
      .returning();

    const replyPhone = '+15127039004';
    await textUs(replyPhone, 'is anyone there?');
    const answered = await reply(replyPhone, { body: 'Yes, how can we help?' });
    expect(answered.status).toBe(202);

    const list = (await h.api.request(`${base()}?limit=200`, admin)).body.data as Array<{ phone: string; lastOutbound: { partOf: unknown } | null; unreadCount: number }>;
    const partOf = (phone: string) => list.find((c) => c.phone === phone)?.lastOutbound?.partOf;
    expect(partOf(wfPhone)).toEqual({ kind: 'workflow_run', workflowRunId: run!.id, workflowKey: 'estimate-follow-up', workflowName: 'Estimate follow-up' });
    expect(partOf(reminderPhone)).toEqual({ kind: 'reminder', reminderId: reminder!.id, appointmentId: 8801 });
    expect(partOf(replyPhone)).toEqual({ kind: 'office_reply' });
    // Replying marked the thread read.
    expect(list.find((c) => c.phone === replyPhone)?.unreadCount).toBe(0);
  });

  it('pages through threads newest first with the cursor', async () => {
    const all = (await h.api.request(`${base()}?limit=200`, admin)).body;
    expect(all.nextCursor).toBeNull();
    const phones: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Array<{ phone: string }>; nextCursor: string | null } } = await h.api.request(`${base()}?limit=1${cursor ? `&cursor=${cursor}` : ''}`, admin);
      phones.push(...page.body.data.map((c) => c.phone));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(phones).toEqual(all.data.map((c: { phone: string }) => c.phone));
    expect(new Set(phones).size).toBe(phones.length);
    expect(phones.length).toBeGreaterThanOrEqual(4);

    const thread = await h.api.request(`${base()}/${enc('+15127039001')}?limit=2`, admin);
    expect(thread.body.data).toHaveLength(2);
    const older = await h.api.request(`${base()}/${enc('+15127039001')}?limit=2&cursor=${thread.body.nextCursor}`, admin);
    expect(older.body.data.map((m: { body: string }) => m.body)).toEqual(['yes, can you call me Thursday?', 'Your estimate is ready.']);
  });

  it('refuses a bad phone with 400 and answers 404 for a number with no messages', async () => {
    expectErrorBody(await h.api.request(`${base()}/not-a-phone`, admin), 400, 'validation_failed');
    expectErrorBody(await reply('555-0123', { body: 'x' }), 400, 'validation_failed');
    expectErrorBody(await h.api.request(`${base()}/${enc('+15127039099')}`, admin), 404, 'conversation_not_found');
    expectErrorBody(await h.api.request(`${base()}/${enc('+15127039099')}/read`, { method: 'POST', ...admin }), 404, 'conversation_not_found');
    expectErrorBody(await reply('+15127039001', { body: '' }), 400, 'validation_failed');
    expectErrorBody(await h.api.request(`${base()}?status=closed`, admin), 400, 'validation_failed');
  });
});

describe('office replies', () => {
  const at = (iso: string) => DateTime.fromISO(iso, { zone: 'America/Chicago' }).toJSDate();

  it('reach the phone once for a replayed idempotency key (body or header)', async () => {
    const phone = '+15127039010';
    await textUs(phone, 'can you come earlier?');
    const first = await reply(phone, { body: 'We can be there at 9.', idempotencyKey: 'reply-9010-1' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ to: phone, direction: 'outbound', status: 'queued', idempotencyKey: 'reply-9010-1' });
    const again = await reply(phone, { body: 'We can be there at 9.' }, { 'Idempotency-Key': 'reply-9010-1' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    await settled(first.body.id, ['delivered']);
    expect(await reached(phone)).toHaveLength(1);
    expectErrorBody(await reply(phone, { body: 'x', idempotencyKey: 'a' }, { 'Idempotency-Key': 'b' }), 400, 'validation_failed');
  });

  it('within 24 h of the customer\'s text, the send window does not hold a reply back; a text sent with POST /messages still waits', async () => {
    const phone = '+15127039011'; // Austin: America/Chicago
    now = at('2030-06-03T22:30');
    try {
      const inbound = await textUs(phone, 'my AC just died, can someone come tomorrow?');
      await backdate(inbound, at('2030-06-03T22:10'));
      const answer = await reply(phone, { body: 'Yes: a technician will call you at 8.' });
      await settled(answer.body.id, ['delivered']);
      expect((await reached(phone)).map((m) => m.body)).toEqual(['Yes: a technician will call you at 8.']);

      const plain = await h.api.request(`/api/v1/tenants/${h.tenantId}/messages`, { method: 'POST', ...admin, body: { to: phone, body: 'Rate your visit!' } });
      const held = await until(async () => {
        const row = await findMessageById(h.api.db, plain.body.id);
        return row?.sendAfter ? row : undefined;
      }, 15_000, 'the plain text held for the window');
      expect(held.status).toBe('queued');
      expect(held.sendAfter).toEqual(at('2030-06-04T08:00'));
    } finally {
      now = NOON;
    }
  });

  it('a reply more than 24 h after the customer\'s last text waits for the window', async () => {
    const phone = '+15127039012';
    now = at('2030-06-03T22:30');
    try {
      const inbound = await textUs(phone, 'thanks');
      await backdate(inbound, at('2030-06-02T22:00'));
      const late = await reply(phone, { body: 'Following up on your message' });
      const held = await until(async () => {
        const row = await findMessageById(h.api.db, late.body.id);
        return row?.sendAfter ? row : undefined;
      }, 15_000, 'the late reply held for the window');
      expect(held.status).toBe('queued');
      expect(held.sendAfter).toEqual(at('2030-06-04T08:00'));
      expect(await reached(phone)).toHaveLength(0);
    } finally {
      now = NOON;
    }
  });

  it('STOP still blocks a reply, inside the 24 h', async () => {
    const phone = '+15127039013';
    await textUs(phone, 'STOP');
    const list = (await h.api.request(`${base()}?status=open&limit=200`, admin)).body.data.find((c: { phone: string }) => c.phone === phone);
    expect(list).toMatchObject({ optedOut: true, unreadCount: 1 });
    const answer = await reply(phone, { body: 'Sorry to see you go' });
    expect(answer.status).toBe(202);
    const row = await settled(answer.body.id, ['canceled']);
    expect(row.errorMessage).toBe('recipient opted out');
    expect(await reached(phone)).toHaveLength(0);
  });
});

describe('tenant isolation', () => {
  it("tenant A never sees B's threads, and B's key gets 403 on A's conversations", async () => {
    const phone = '+15127039020';
    const other = await h.api.request('/api/v1/tenants', { method: 'POST', ...admin, body: { name: 'Other HVAC', timezone: 'America/Chicago', twilio: { from: '+17372004002', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } } });
    const b = other.body.id as string;
    const bKey = (await h.api.request(`/api/v1/tenants/${b}/api-keys`, { method: 'POST', ...admin, body: { name: 'office' } })).body.key as string;
    await h.api.db.insert(messages).values({ tenantId: b, direction: 'inbound', to: '+17372004002', from: phone, body: 'private to B', status: 'received', segments: 1 });
    await textUs(phone, 'hello A');

    const aList = await h.api.request(`${base()}?limit=200`, admin);
    expect(aList.text).not.toContain('private to B');
    expect(aList.body.data.find((c: { phone: string }) => c.phone === phone)).toMatchObject({ lastMessage: { body: 'hello A' }, unreadCount: 1 });
    const aThread = await h.api.request(`${base()}/${enc(phone)}`, admin);
    expect(aThread.body.data.map((m: { body: string }) => m.body)).toEqual(['hello A']);

    const bList = await h.api.request(`/api/v1/tenants/${b}/conversations`, { key: bKey });
    expect(bList.status).toBe(200);
    expect(bList.body.data.map((c: { phone: string; lastMessage: { body: string } }) => [c.phone, c.lastMessage.body])).toEqual([[phone, 'private to B']]);

    for (const [method, path] of [
      ['GET', base()],
      ['GET', `${base()}/${enc(phone)}`],
      ['POST', `${base()}/${enc(phone)}/messages`],
      ['POST', `${base()}/${enc(phone)}/read`],
    ] as const) {
      const res = await h.api.request(path, { method, key: bKey, ...(path.endsWith('/messages') ? { body: { body: 'from B' } } : {}) });
      expectErrorBody(res, 403, 'forbidden');
    }
    expect((await h.api.request(`${base()}/${enc(phone)}`, admin)).body.conversation.unreadCount).toBe(1);
  });
});
