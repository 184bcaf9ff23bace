import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { messages, updateTenant, webhookInbox } from '@fieldhand/db';
import { inboxJobId } from '@fieldhand/queues';
import { ACCOUNT_SID, AUTH_TOKEN, SENDER, sign, startSmsHarness, type SmsHarness } from './support/sms-harness.js';

// No sms worker runs here: the jobs the webhooks enqueue stay in Redis to be inspected.
let h: SmsHarness;
beforeAll(async () => {
  h = await startSmsHarness();
});
afterAll(() => h.stop());

const url = () => `${h.api.url}/webhooks/twilio/sms`;
let sids = 0;
const inbound = (body: string, from: string, sid = `SM${String(++sids).padStart(32, '7')}`) => ({
  MessageSid: sid,
  AccountSid: ACCOUNT_SID,
  From: from,
  To: SENDER,
  Body: body,
  NumMedia: '0',
  NumSegments: '1',
});
const post = (params: Record<string, string>, token = AUTH_TOKEN) =>
  fetch(url(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(token, url(), params) },
    body: new URLSearchParams(params),
  });

describe('inbound texts arriving together', () => {
  it('stores each once (a MessageSid repeated within the burst too) and enqueues one job per text that points at its message', async () => {
    const burst = Array.from({ length: 60 }, (_, i) => inbound(`reply ${i}`, `+1512703${String(3000 + i)}`));
    const repeated = burst[7]!;
    const responses = await Promise.all([...burst, repeated].map((params) => post(params)));
    expect(responses.map((r) => r.status)).toEqual(Array(61).fill(200));

    for (const params of burst) {
      const stored = await h.api.db.select().from(messages).where(eq(messages.twilioSid, params.MessageSid));
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ direction: 'inbound', status: 'received', from: params.From, to: SENDER, body: params.Body });
      const [row] = await h.api.db.select().from(webhookInbox).where(eq(webhookInbox.externalId, params.MessageSid));
      expect(row!.payload).toEqual({ tenantId: h.tenantId, messageId: stored[0]!.id, from: params.From, intent: 'reply' });
      const job = await h.api.bus.queue('sms-inbound').getJob(inboxJobId(row!.id));
      expect(job?.data).toMatchObject({ messageId: stored[0]!.id, from: params.From });
    }
  });

  it('answers HELP with the help text and records no consent change', async () => {
    const res = await post(inbound('HELP', '+15127033100'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Acme HVAC: appointment and service messages.');
  });
});

describe('the tenant remembered for a number', () => {
  it('accepts a text signed with a rotated auth token at once, and refuses the old token once the new one is known', async () => {
    expect((await post(inbound('before rotation', '+15127033200'))).status).toBe(200);
    const rotated = 'sms-test-auth-token-rotated-9876543210';
    const tenant = await updateTenant(h.api.db, h.tenantId, { twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: rotated } });
    expect(tenant?.twilio?.authToken).toBe(rotated);
    try {
      expect((await post(inbound('after rotation', '+15127033200'), rotated)).status).toBe(200);
      expect((await post(inbound('old token', '+15127033200'), AUTH_TOKEN)).status).toBe(403);
    } finally {
      await updateTenant(h.api.db, h.tenantId, { twilio: { from: SENDER, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
    }
  });
});
