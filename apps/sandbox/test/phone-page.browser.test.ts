import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, startSandbox, type Fixture, type TestAccounts } from './support/sandbox-fixture.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SENDER = '+17372004002';
const CUSTOMER = '+15127035555';

let fixture: Fixture;
let receiver: WebhookReceiver;
let accounts: TestAccounts;
let browser: Browser;

beforeAll(async () => {
  fixture = await startSandbox();
  receiver = await startWebhookReceiver();
  accounts = await createAccounts(fixture.url, { seed: 2, size: 1, twilio: { numbers: [{ phoneNumber: SENDER, smsUrl: `${receiver.baseUrl}/webhooks/twilio/inbound` }] } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

afterAll(async () => {
  await browser?.close();
  await fixture?.running.close();
  await receiver?.close();
});

describe('phone page', () => {
  it('shows a text sent through the Twilio API and lets the customer reply STOP', async () => {
    const auth = Buffer.from(`${accounts.twilio.accountSid}:${accounts.twilio.authToken}`).toString('base64');
    const sent = await fetch(`${fixture.url}/twilio/2010-04-01/Accounts/${accounts.twilio.accountSid}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: `Basic ${auth}` },
      body: new URLSearchParams({ To: CUSTOMER, From: SENDER, Body: 'Hi Sam, your estimate for the new heat pump is ready.' }),
    });
    expect(sent.status).toBe(201);

    const page = await browser.newPage();
    await page.goto(`${fixture.url}/phone`);
    const row = page.locator(`section.phone[data-phone="${CUSTOMER}"]`);
    await expect.poll(() => row.locator('li.to-customer .body').first().textContent()).toBe('Hi Sam, your estimate for the new heat pump is ready.');
    await expect.poll(() => row.locator('li.to-customer .status').first().textContent(), { timeout: 5_000 }).toBe('delivered');

    await row.locator('input[name="body"]').fill('STOP');
    await row.locator('button.send').click();
    await expect.poll(() => row.locator('li.from-customer .body').allTextContents(), { timeout: 5_000 }).toEqual(['STOP']);
    await expect.poll(() => row.locator('h2').textContent(), { timeout: 5_000 }).toContain('opted out');

    const hook = await receiver.waitFor((h) => h.params['Body'] === 'STOP');
    expect(hook.params).toMatchObject({ From: CUSTOMER, To: SENDER, OptOutType: 'STOP' });
    await page.close();
  });
});
