// A status callback is verified with the credentials of the tenant its URL names
// (the URL we gave Twilio), never a key chosen by the request's AccountSid, and it
// changes that tenant's messages only.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessageById, messages } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody } from './support/test-api.js';
import { ACCOUNT_SID, AUTH_TOKEN, sandboxMessages, sign, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

let h: SmsHarness;
let tenantB: string;
const B_TOKEN = 'tenant-b-chosen-token-0123456789';

beforeAll(async () => {
  h = await startSmsHarness();
  h.startWorker();
  // Tenant B claims the same Twilio account SID as A, with a token of its own choosing.
  const b = await h.api.request('/api/v1/tenants', {
    method: 'POST',
    key: ADMIN_KEY,
    body: { name: 'Mallory Plumbing', timezone: 'America/Chicago', twilio: { from: '+17372009999', accountSid: ACCOUNT_SID, authToken: B_TOKEN } },
  });
  expect(b.status).toBe(201);
  tenantB = b.body.id;
}, 60_000);
afterAll(() => h.stop());

const post = (path: string, params: Record<string, string>, token?: string) =>
  fetch(`${h.api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { 'x-twilio-signature': sign(token, `${h.api.url}${path}`, params) } : {}) },
    body: new URLSearchParams(params),
  });

async function deliveredTextOfA(to: string): Promise<{ id: string; sid: string }> {
  const sent = await h.api.request(`/api/v1/tenants/${h.tenantId}/messages`, { method: 'POST', key: ADMIN_KEY, body: { to, body: 'hello from A' } });
  expect(sent.status).toBe(202);
  const row = await until(async () => {
    const m = await findMessageById(h.api.db, sent.body.id);
    return m?.status === 'delivered' ? m : undefined;
  }, 15_000, 'delivered');
  return { id: row.id, sid: row.twilioSid! };
}

describe('status callbacks belong to the tenant in their URL', () => {
  it("sends name the tenant in StatusCallback, and A's genuine callbacks verify although B claims A's account SID", async () => {
    const text = await deliveredTextOfA('+15127035101');
    const atSandbox = (await sandboxMessages(h.sandbox)).find((m) => m.sid === text.sid) as unknown as { callbacks: Array<{ url: string; httpStatus: number }> };
    expect(atSandbox.callbacks.length).toBeGreaterThan(0);
    for (const attempt of atSandbox.callbacks) expect(attempt).toMatchObject({ url: `${h.api.url}/webhooks/twilio/status/${h.tenantId}`, httpStatus: 200 });
    // Before: the key was looked up by the body's AccountSid and could be B's, so A's genuine callbacks failed.
    const genuine = { MessageSid: text.sid, MessageStatus: 'read', AccountSid: ACCOUNT_SID };
    expect((await post(`/webhooks/twilio/status/${h.tenantId}`, genuine, AUTH_TOKEN)).status).toBe(200);
    expect((await post('/webhooks/twilio/status', genuine, AUTH_TOKEN)).status).toBe(200);
  });

  it("B cannot forge a callback for A's message with a token of its choosing, on either path", async () => {
    const text = await deliveredTextOfA('+15127035102');
    const forged = { MessageSid: text.sid, MessageStatus: 'undelivered', ErrorCode: '30007', AccountSid: ACCOUNT_SID };
    expectErrorBody(await toApi(post(`/webhooks/twilio/status/${h.tenantId}`, forged, B_TOKEN)), 403, 'invalid_signature');
    expectErrorBody(await toApi(post('/webhooks/twilio/status', forged, B_TOKEN)), 403, 'invalid_signature');
    // On its own path B's signature is valid, but A's message is not B's to change.
    expect((await post(`/webhooks/twilio/status/${tenantB}`, forged, B_TOKEN)).status).toBe(200);
    const after = (await findMessageById(h.api.db, text.id))!;
    expect(after.status).toBe('delivered');
    expect(after.statusHistory.some((e) => e.status === 'undelivered')).toBe(false);
    expect(await h.api.db.select().from(messages).where(eq(messages.tenantId, tenantB))).toHaveLength(0);
  });

  it('a callback naming an unknown tenant is refused; oversized fields are a 400 with the standard body', async () => {
    const params = { MessageSid: `SM${'9'.repeat(32)}`, MessageStatus: 'delivered' };
    expectErrorBody(await toApi(post('/webhooks/twilio/status/7c9e6679-7425-40de-944b-e07fc1f90ae7', params, AUTH_TOKEN)), 403);
    expectErrorBody(await toApi(post(`/webhooks/twilio/status/${h.tenantId}`, { ...params, MessageStatus: 'x'.repeat(5_000) }, AUTH_TOKEN)), 400, 'validation_failed');
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`P${i}`, 'v']));
    expectErrorBody(await toApi(post('/webhooks/twilio/sms', { ...many, To: '+17372004001' }, AUTH_TOKEN)), 400, 'validation_failed');
  });
});

async function toApi(response: Promise<Response>) {
  const res = await response;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}
