import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../src/twilio/signature.js';
import { createAccounts, postJson, startSandbox, type Fixture, type TestAccounts } from './support/sandbox-fixture.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The documented custom-client route: a RequestClient whose requests are rewritten from
 * api.twilio.com to the sandbox and then delegated to the stock implementation.
 */
function sandboxHttpClient(baseUrl: string): twilio.RequestClient {
  const client = new twilio.RequestClient();
  const request = client.request.bind(client);
  client.request = (opts) => request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', baseUrl) });
  return client;
}

const SENDER = '+17372004001';
const CUSTOMER = '+15127034567';

let fixture: Fixture;
let receiver: WebhookReceiver;
let accounts: TestAccounts;
let client: twilio.Twilio;

function signatureValid(hook: ReceivedWebhook, authToken: string): boolean {
  return twilio.validateRequest(authToken, String(hook.headers['x-twilio-signature']), hook.url, hook.params);
}

async function expectTwilioError(promise: Promise<unknown>, code: number): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code, status: 400 });
}

beforeAll(async () => {
  fixture = await startSandbox();
  receiver = await startWebhookReceiver();
  accounts = await createAccounts(fixture.url, { seed: 1, size: 1, twilio: { numbers: [{ phoneNumber: SENDER, smsUrl: `${receiver.baseUrl}/webhooks/twilio/inbound?tenant=1` }] } });
  client = twilio(accounts.twilio.accountSid, accounts.twilio.authToken, { httpClient: sandboxHttpClient(`${fixture.url}/twilio`) });
});

afterAll(async () => {
  await fixture.running.close();
  await receiver.close();
});

describe('Twilio through the official twilio package', () => {
  it('signs like Twilio (the documented test vector)', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('sends, then POSTs signed status callbacks queued → sent → delivered', async () => {
    const statusCallback = `${receiver.baseUrl}/webhooks/twilio/status?attempt=1`;
    const message = await client.messages.create({ to: CUSTOMER, from: SENDER, body: 'Your technician is on the way.', statusCallback });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    expect(message.accountSid).toBe(accounts.twilio.accountSid);

    const sent = await receiver.waitFor((h) => h.params['MessageSid'] === message.sid && h.params['MessageStatus'] === 'sent');
    const delivered = await receiver.waitFor((h) => h.params['MessageSid'] === message.sid && h.params['MessageStatus'] === 'delivered');
    for (const hook of [sent, delivered]) {
      expect(hook.url).toBe(statusCallback);
      expect(signatureValid(hook, accounts.twilio.authToken)).toBe(true);
      expect(signatureValid(hook, 'not-the-token')).toBe(false);
      expect(hook.params).toMatchObject({ AccountSid: accounts.twilio.accountSid, From: SENDER, To: CUSTOMER });
    }
    const fetched = await client.messages(message.sid).fetch();
    expect(fetched.status).toBe('delivered');
  });

  it('reports a configured delivery failure with its error code', async () => {
    const unlucky = '+15127034999';
    await postJson(`${fixture.url}/_sandbox/twilio/outcomes`, { phoneNumber: unlucky, status: 'undelivered', errorCode: 30007 });
    const message = await client.messages.create({ to: unlucky, from: SENDER, body: 'Filtered?', statusCallback: `${receiver.baseUrl}/status` });
    const hook = await receiver.waitFor((h) => h.params['MessageSid'] === message.sid && h.params['MessageStatus'] === 'undelivered');
    expect(hook.params['ErrorCode']).toBe('30007');
    expect(signatureValid(hook, accounts.twilio.authToken)).toBe(true);
  });

  it('rejects like Twilio: magic numbers, invalid To, foreign From, bad credentials', async () => {
    await expectTwilioError(client.messages.create({ to: '+15005550001', from: SENDER, body: 'x' }), 21211);
    await expectTwilioError(client.messages.create({ to: '+15005550004', from: SENDER, body: 'x' }), 21610);
    await expectTwilioError(client.messages.create({ to: '+15005550009', from: SENDER, body: 'x' }), 21614);
    await expectTwilioError(client.messages.create({ to: '+1512', from: SENDER, body: 'x' }), 21211);
    await expectTwilioError(client.messages.create({ to: CUSTOMER, from: '+17372009999', body: 'x' }), 21606);
    expect((await client.messages.create({ to: CUSTOMER, from: '+15005550006', body: 'magic sender' })).status).toBe('queued');
    const stranger = twilio(accounts.twilio.accountSid, 'wrong-token', { httpClient: sandboxHttpClient(`${fixture.url}/twilio`) });
    await expect(stranger.messages.create({ to: CUSTOMER, from: SENDER, body: 'x' })).rejects.toMatchObject({ code: 20003, status: 401 });
  });

  it('delivers signed inbound webhooks; STOP opts the pair out (21610) and START opts back in', async () => {
    const stop = await postJson(`${fixture.url}/_sandbox/twilio/inbound`, { from: CUSTOMER, to: SENDER, body: ' stop ' });
    expect(stop.status).toBe(201);
    const hook = await receiver.waitFor((h) => h.path.startsWith('/webhooks/twilio/inbound') && h.params['Body'] === ' stop ');
    expect(signatureValid(hook, accounts.twilio.authToken)).toBe(true);
    expect(hook.params).toMatchObject({ From: CUSTOMER, To: SENDER, OptOutType: 'STOP', NumMedia: '0', NumSegments: '1', AccountSid: accounts.twilio.accountSid });
    expect(hook.params['MessageSid']).toMatch(/^SM[0-9a-f]{32}$/);
    await expectTwilioError(client.messages.create({ to: CUSTOMER, from: SENDER, body: 'Still there?' }), 21610);

    await postJson(`${fixture.url}/_sandbox/twilio/inbound`, { from: CUSTOMER, to: SENDER, body: 'START' });
    expect((await client.messages.create({ to: CUSTOMER, from: SENDER, body: 'Welcome back' })).status).toBe('queued');
  });

  it('duplicates and reorders status callbacks when those faults are set', async () => {
    await postJson(`${fixture.url}/_sandbox/faults`, { seed: 3, rules: [{ vendor: 'twilio', kind: 'duplicate-callback' }, { vendor: 'twilio', kind: 'out-of-order-callback' }] }, 'PUT');
    const message = await client.messages.create({ to: '+15127034111', from: SENDER, body: 'Chaos', statusCallback: `${receiver.baseUrl}/chaos` });
    await fetch(`${fixture.url}/_sandbox/faults`, { method: 'DELETE' });
    const mine = (): ReceivedWebhook[] => receiver.received.filter((h) => h.params['MessageSid'] === message.sid);
    await receiver.waitFor(() => mine().length === 4);
    expect(mine().map((h) => h.params['MessageStatus'])).toEqual(['delivered', 'delivered', 'sent', 'sent']);
    expect(mine().every((h) => signatureValid(h, accounts.twilio.authToken))).toBe(true);
  });

  it('lists messages like Twilio, filtered by To and date', async () => {
    const today = new Date();
    const listed = await client.messages.list({ to: CUSTOMER, dateSentAfter: new Date(today.getTime() - 3_600_000), pageSize: 2, limit: 50 });
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed.every((m) => m.to === CUSTOMER)).toBe(true);
    const none = await client.messages.list({ to: CUSTOMER, dateSentBefore: new Date('2000-01-01T00:00:00Z') });
    expect(none).toHaveLength(0);
  });
});
