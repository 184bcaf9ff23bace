import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { findConsent, messages } from '@fieldhand/db';
import { ADMIN_KEY } from './support/test-api.js';
import { postJson, SENDER, sandboxMessages, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
const CUSTOMER = '+15127034001';
const SENDS = 60;

// 20 segments/s for the sender: the stream lasts about three seconds, so STOP lands in its middle.
beforeAll(async () => {
  h = await startSmsHarness({ env: { SMS_SEGMENTS_PER_SECOND: '20' } });
});
afterAll(() => h.stop());

const reachedSandbox = async () => (await sandboxMessages(h.sandbox)).filter((m) => m.to === CUSTOMER && m.direction === 'outbound-api').length;

describe('STOP honoured at once (must show 1)', () => {
  it('after the STOP webhook answers 200, no further message for that number reaches Twilio', async () => {
    for (let i = 0; i < SENDS; i++) {
      const res = await h.api.request(`/api/v1/tenants/${h.tenantId}/messages`, { method: 'POST', key: ADMIN_KEY, body: { to: CUSTOMER, body: `Follow-up ${i}` } });
      expect(res.status).toBe(202);
    }
    h.startWorker();
    h.startWorker(); // two workers racing for the same stream
    await until(async () => (await reachedSandbox()) >= 10, 15_000, 'the stream to start');

    // A plain-language revocation: the sandbox does not treat it as a keyword, so only Fieldhand can stop the stream.
    const stop = await postJson(`${h.sandbox.url}/_sandbox/twilio/inbound`, { from: CUSTOMER, to: SENDER, body: 'Stop texting me' });
    expect(stop.status).toBe(201);
    expect(((await stop.json()) as { webhook: { httpStatus: number } }).webhook.httpStatus).toBe(200);
    const atStop = await reachedSandbox();
    expect(await findConsent(h.api.db, h.tenantId, CUSTOMER)).toMatchObject({ smsOptOut: true, keyword: 'Stop texting me', source: 'inbound_sms' });

    await until(async () => {
      const open = await h.api.db
        .select({ id: messages.id })
        .from(messages)
        .where(and(eq(messages.to, CUSTOMER), inArray(messages.status, ['queued', 'sending'])));
      return open.length === 0;
    }, 20_000, 'every queued send to settle');
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await reachedSandbox()).toBe(atStop);
    expect(atStop).toBeLessThan(SENDS);
    const rows = await h.api.db.select().from(messages).where(and(eq(messages.to, CUSTOMER), eq(messages.direction, 'outbound')));
    const sent = rows.filter((r) => r.twilioSid !== null);
    expect(sent).toHaveLength(atStop);
    expect(rows.filter((r) => r.status === 'canceled')).toHaveLength(SENDS - atStop);
    // The one allowed confirmation went back as TwiML.
    const replies = (await sandboxMessages(h.sandbox)).filter((m) => m.to === CUSTOMER && m.direction === 'outbound-reply');
    expect(replies.map((m) => m.body)).toEqual([expect.stringContaining('You are unsubscribed')]);
  });

  it('the inbound follow-up job runs: the inbox row is processed and the workflow hears of the opt-out', async () => {
    const events = await until(async () => {
      const jobs = await h.api.bus.queue('workflow').getJobs(['waiting', 'delayed']);
      const mine = jobs.filter((j) => j.name === 'workflow.sms-event' && j.data.phone === CUSTOMER);
      return mine.length > 0 ? mine : undefined;
    }, 10_000, 'the sms.opted_out event');
    expect(events.map((j) => j.data.type)).toEqual(['sms.opted_out']);
  });
});
