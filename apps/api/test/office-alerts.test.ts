// Office alerts by text, end to end: a customer's reply reaches the inbound webhook → the sms
// worker reports it (message.received) → the events role publishes it and texts it to the
// tenant's office number → the sms worker sends that through the sandbox's Twilio. At most
// OFFICE_ALERTS_PER_MINUTE texts a minute reach an office number; the rest arrive as one summary.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOfficeAlerts, messages, stCustomerContacts, stCustomers, webhookEvents } from '@fieldhand/db';
import { eventJob } from '@fieldhand/events';
import { createLogger } from '@fieldhand/observability';
import { flushOutbox, runWorkers, writeOutbox, type RunningWorkers } from '@fieldhand/queues';
import { OFFICE_ALERTS_PER_MINUTE } from '@fieldhand/sms';
import { deliveryDeps, eventHandlers } from '../../workers/src/events/role.js';
import { ADMIN_KEY, expectErrorBody } from './support/test-api.js';
import { ACCOUNT_SID, AUTH_TOKEN, postJson, sandboxMessages, SENDER, sign, startSmsHarness, until, type SmsHarness } from './support/sms-harness.js';

const OFFICE = '+15125550190';
const OTHER_SENDER = '+17372004002';
const OTHER_OFFICE = '+15125550191';
const OTHER_ACCOUNT = `AC${'6'.repeat(32)}`;
const JANE = '+15127039301';

let h: SmsHarness;
let events: RunningWorkers;
let otherTenantId: string;
const closers: Array<() => Promise<unknown>> = [];
const logger = createLogger({ name: 'office-alerts-test', level: 'silent' });

let sids = 0;
async function textUs(from: string, body: string, to = SENDER, token = AUTH_TOKEN, account = ACCOUNT_SID): Promise<void> {
  const params = { MessageSid: `SM${String(++sids).padStart(32, '7')}`, AccountSid: account, From: from, To: to, Body: body, NumMedia: '0', NumSegments: '1' };
  const url = `${h.api.url}/webhooks/twilio/sms`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(token, url, params) }, body: new URLSearchParams(params) });
  expect(res.status).toBe(200);
}
const textsTo = async (phone: string) => (await sandboxMessages(h.sandbox)).filter((m) => m.to === phone);
const patchTenant = (tenantId: string, body: Record<string, unknown>) => h.api.request(`/api/v1/tenants/${tenantId}`, { method: 'PATCH', key: ADMIN_KEY, body });

beforeAll(async () => {
  h = await startSmsHarness({ clock: () => new Date() });
  h.startWorker();
  const deps = deliveryDeps({ config: h.api.config, db: h.api.db, bus: h.api.bus, logger, onShutdown: (close) => void closers.push(close) });
  events = runWorkers({ role: 'events', queues: ['events'], handlers: eventHandlers(deps), bus: h.api.bus, db: h.api.db, connection: h.api.redis.connect('worker'), logger });
  // A second tenant, with its own number and office, on its own sandbox account.
  const account = await postJson(`${h.sandbox.url}/_sandbox/accounts`, {
    size: 0,
    twilio: { accountSid: OTHER_ACCOUNT, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: OTHER_SENDER, smsUrl: `${h.api.url}/webhooks/twilio/sms` }] },
  });
  expect(account.status).toBe(201);
  const other = await h.api.request('/api/v1/tenants', {
    method: 'POST',
    key: ADMIN_KEY,
    body: { name: 'Other Plumbing', timezone: 'America/Chicago', twilio: { from: OTHER_SENDER, accountSid: OTHER_ACCOUNT, authToken: AUTH_TOKEN }, alerts: { replyTo: [OTHER_OFFICE] } },
  });
  expect(other.status, other.text).toBe(201);
  otherTenantId = other.body.id;
}, 60_000);
afterAll(async () => {
  await events?.close(2_000);
  await Promise.all(closers.map((close) => close()));
  await h?.stop();
});

describe('office alerts by text', () => {
  it('are set with PATCH: E.164 office numbers, known event types, never the tenant’s own sender', async () => {
    const bad = await patchTenant(h.tenantId, { alerts: { replyTo: ['555-0190'] } });
    expectErrorBody(bad, 400, 'validation_failed');
    const unknownType = await patchTenant(h.tenantId, { alerts: { replyTo: [OFFICE], events: ['message.teleported'] } });
    expectErrorBody(unknownType, 400, 'validation_failed');
    const loop = await patchTenant(h.tenantId, { alerts: { replyTo: [SENDER] } });
    expectErrorBody(loop, 400, 'validation_failed');
    const saved = await patchTenant(h.tenantId, { alerts: { replyTo: [OFFICE] } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.alerts).toEqual({ replyTo: [OFFICE], events: null });
  });

  it("forwards a customer's reply to the office at once, naming the customer; the other tenant's office hears nothing", async () => {
    await h.api.db.insert(stCustomers).values({ tenantId: h.tenantId, id: 9301, active: true, modifiedOn: new Date(), raw: {}, name: 'Jane Doe', state: 'TX' });
    await h.api.db.insert(stCustomerContacts).values({ tenantId: h.tenantId, id: 93011, active: true, modifiedOn: new Date(), raw: {}, customerId: 9301, type: 'MobilePhone', value: JANE, phone: JANE });
    const started = Date.now();
    await textUs(JANE, 'yes, can you call me Thursday?');
    const [alert] = await until(async () => {
      const texts = await textsTo(OFFICE);
      return texts.length > 0 ? texts : undefined;
    }, 15_000, 'the alert at the office');
    console.info(`reply → office alert at the sandbox in ${Date.now() - started} ms`);
    expect(alert).toMatchObject({ from: SENDER, body: `Reply from Jane D. (${JANE}): "yes, can you call me Thursday?"` });
    expect(await textsTo(OTHER_OFFICE)).toEqual([]);
  });

  it("the office's own texts are not customers' replies: stored, never reported or forwarded, no thread in the list", async () => {
    await textUs(OFFICE, 'Got it, calling her now');
    const stored = await until(async () => (await h.api.db.select().from(messages).where(and(eq(messages.tenantId, h.tenantId), eq(messages.from, OFFICE))))[0], 10_000, "the office's text");
    expect(stored.body).toBe('Got it, calling her now');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const reported = await h.api.db.select().from(webhookEvents).where(and(eq(webhookEvents.tenantId, h.tenantId), sql`${webhookEvents.data} ->> 'from' = ${OFFICE}`));
    expect(reported).toEqual([]);
    expect(await textsTo(OFFICE)).toHaveLength(1);
    // Not a customer: the office's number has no thread in the conversations list (Jane's is there).
    const threads = (await h.api.request(`/api/v1/tenants/${h.tenantId}/conversations`, { key: ADMIN_KEY })).body.data as Array<{ phone: string }>;
    expect(threads.map((c) => c.phone)).toContain(JANE);
    expect(threads.map((c) => c.phone)).not.toContain(OFFICE);
  });

  it('a held text, a failing sync and a disabled endpoint are texted too; a consent change is not (not among the default events)', async () => {
    const facts = [
      eventJob(h.tenantId, 'message.held', { messageId: crypto.randomUUID(), phone: JANE, body: 'Your invoice is ready', reason: 'not resent' }),
      eventJob(h.tenantId, 'sync.failed', { source: 'servicetitan', module: 'estimates', error: 'HTTP 503 from ServiceTitan' }),
      eventJob(h.tenantId, 'webhook_endpoint.disabled', { endpointId: crypto.randomUUID(), url: 'https://hooks.example.com/in', reason: 'failing for 3 days', failingSince: '2030-06-01T00:00:00.000Z' }),
      eventJob(h.tenantId, 'consent.opted_out', { phone: JANE, source: 'api' }),
    ];
    const before = (await textsTo(OFFICE)).length;
    const rows = await h.api.db.transaction((tx) => writeOutbox(tx, h.api.bus.catalog, facts));
    await flushOutbox(h.api.bus, rows);
    await until(async () => (await textsTo(OFFICE)).length >= before + 3, 15_000, 'three alerts at the office');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const bodies = (await textsTo(OFFICE)).slice(before).map((m) => m.body);
    expect(bodies).toHaveLength(3);
    expect(bodies).toEqual(
      expect.arrayContaining([
        `Text to Jane D. (${JANE}) may not have gone out (held as unknown; check it before sending again): "Your invoice is ready"`,
        'Acme HVAC: servicetitan sync of estimates keeps failing: "HTTP 503 from ServiceTitan"',
        'Acme HVAC: event webhook https://hooks.example.com/in was disabled after failing since 2030-06-01.',
      ]),
    );
  });

  it('50 replies in a minute: at most 5 texts to the office, then one summary of the rest; the other tenant gets only its own', async () => {
    const phones = Array.from({ length: 50 }, (_, i) => `+1512704${String(1000 + i)}`);
    await textUs('+15127049999', 'Is the other office open?', OTHER_SENDER, AUTH_TOKEN, OTHER_ACCOUNT);
    const before = (await textsTo(OFFICE)).length;
    await Promise.all(phones.map((phone, i) => textUs(phone, `reply number ${i}`)));
    // Every reply gets its alert row: its own text while the number is under the rate, else the summary's.
    const alerts = await until(async () => {
      const rows = (await listOfficeAlerts(h.api.db, h.tenantId)).filter((a) => a.eventType === 'message.received' && a.body.includes('reply number'));
      return rows.length === 50 && rows.every((a) => a.messageId !== null) ? rows : undefined;
    }, 90_000, 'every alert carried by a text');
    const folded = alerts.filter((a) => a.status === 'folded');
    const own = alerts.filter((a) => a.status === 'sent');
    // A burst that straddles a minute boundary is folded into two summaries, one per minute.
    const summaryIds = new Set(folded.map((a) => a.messageId));
    const texts = await until(async () => {
      const got = (await textsTo(OFFICE)).slice(before);
      return got.filter((m) => m.body.startsWith('Fieldhand:')).length === summaryIds.size ? got : undefined;
    }, 20_000, 'the summary at the office');
    const summaries = texts.filter((m) => m.body.startsWith('Fieldhand:'));
    console.info(`50 replies → ${texts.length} texts to the office (${own.length} alone, ${folded.length} folded); summary: ${summaries[0]!.body}`);
    expect(own.length).toBeLessThanOrEqual(OFFICE_ALERTS_PER_MINUTE);
    expect(own.length + folded.length).toBe(50);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(texts.length).toBe(own.length + summaries.length);
    const summed = summaries.map((m) => Number(/^Fieldhand: (\d+) more alerts? this minute \(\d+ repl(?:y|ies)\) from /.exec(m.body)?.[1]));
    expect(summed.reduce((a, b) => a + b, 0)).toBe(folded.length);
    // The other tenant's office got its own customer's reply, from its own number, and none of these.
    const other = await until(async () => {
      const got = await textsTo(OTHER_OFFICE);
      return got.length > 0 ? got : undefined;
    }, 15_000, "the other tenant's alert");
    expect(other).toEqual([expect.objectContaining({ from: OTHER_SENDER, body: 'Reply from +15127049999: "Is the other office open?"' })]);
    expect((await listOfficeAlerts(h.api.db, otherTenantId)).map((a) => a.officePhone)).toEqual([OTHER_OFFICE]);
  }, 150_000);
});
