// The sandbox POSTs to URLs its control routes are given (GHL webhooks, a number's
// SmsUrl): loopback only, so it can never be turned into a way to reach other hosts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMainConfig } from '../src/config.js';
import { startSandbox, type Fixture } from './support/sandbox-fixture.js';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await startSandbox();
});
afterAll(() => fixture.running.close());

const post = (path: string, body: unknown) =>
  fetch(`${fixture.url}/_sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('sandbox control routes call this machine only', () => {
  it.each(['http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/hook', 'http://example.com/hook', 'file:///etc/passwd'])('refuses a GHL webhook to %s', async (url) => {
    const res = await post('/ghl/webhooks', { url, event: { type: 'ContactCreate', locationId: 'loc' } });
    expect(res.status).toBe(400);
  });

  it('refuses a remote SmsUrl for a number, on a new account and on an existing one', async () => {
    expect((await post('/accounts', { size: 0, twilio: { numbers: [{ phoneNumber: '+15125550100', smsUrl: 'http://192.168.1.2/sms' }] } })).status).toBe(400);
    const account = await post('/accounts', { size: 0, twilio: { numbers: [{ phoneNumber: '+15125550101', smsUrl: 'http://127.0.0.1:9/sms' }] } });
    expect(account.status).toBe(201);
    const { twilio } = (await account.json()) as { twilio: { accountSid: string } };
    expect((await post('/twilio/numbers', { accountSid: twilio.accountSid, phoneNumber: '+15125550101', smsUrl: 'http://metadata.internal/sms' })).status).toBe(400);
    expect((await post('/twilio/numbers', { accountSid: twilio.accountSid, phoneNumber: '+15125550101', smsUrl: 'http://localhost:9/sms' })).status).not.toBe(400);
  });

  it('listens on loopback unless told otherwise', () => {
    expect(loadMainConfig({}, []).host).toBe('127.0.0.1');
  });
});
