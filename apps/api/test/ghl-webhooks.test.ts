import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, webhookInbox } from '@fieldhand/db';
import { createSandbox, type Sandbox, type RunningSandbox } from '../../sandbox/src/index.js';
import { expectErrorBody, startTestApi, type TestApi } from './support/test-api.js';

// The sandbox's GHL signs with a key pair of its own; the API is configured with its public key.
let sandbox: Sandbox;
let running: RunningSandbox;
let api: TestApi;
let legacyApi: TestApi;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('ed25519');
const LOCATION = 'loc-webhooks-1';
let tenantId: string;

beforeAll(async () => {
  sandbox = createSandbox({ logLevel: 'silent' });
  running = await sandbox.listen(0);
  const keys = { GHL_WEBHOOK_PUBLIC_KEY: sandbox.ghlSigner.publicKeyPem, GHL_WEBHOOK_RSA_PUBLIC_KEY: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  api = await startTestApi({ env: keys });
  legacyApi = await startTestApi({ env: { ...keys, GHL_WEBHOOK_ACCEPT_LEGACY: 'true' } });
  const connect = (target: TestApi) => createTenant(target.db, { name: 'Acme HVAC', timezone: 'America/Chicago', ghl: { locationId: LOCATION, token: 'pit-test' } });
  tenantId = (await connect(api)).id;
  await connect(legacyApi);
});
afterAll(async () => {
  await api?.stop();
  await legacyApi?.stop();
  await running?.close();
});

const event = (overrides: Record<string, unknown> = {}) => ({ type: 'ContactDndUpdate', locationId: LOCATION, webhookId: randomUUID(), timestamp: new Date().toISOString(), id: 'c-1', phone: '+15125550111', dndSettings: { SMS: { status: 'active' } }, ...overrides });

function post(target: TestApi, raw: string, headers: Record<string, string>) {
  return target.request('/webhooks/ghl', { method: 'POST', rawBody: raw, headers: { 'content-type': 'application/json', ...headers } });
}

async function inboxRows(target: TestApi, webhookId: string) {
  return target.db.select().from(webhookInbox).where(and(eq(webhookInbox.provider, 'ghl'), eq(webhookInbox.externalId, webhookId)));
}

describe('POST /webhooks/ghl', () => {
  it('accepts a webhook the sandbox signed (Ed25519 over the raw bytes) and stores it with its job', async () => {
    // The sandbox adds webhookId and timestamp, as GHL does.
    const { webhookId: _id, timestamp: _ts, ...sent } = event();
    const response = await fetch(`${running.url}/_sandbox/ghl/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${api.url}/webhooks/ghl`, event: sent }) });
    const delivery = (await response.json()) as { delivered: boolean; httpStatus: number; event: { webhookId: string } };
    expect(delivery).toMatchObject({ delivered: true, httpStatus: 200 });
    const [row] = await inboxRows(api, delivery.event.webhookId);
    expect(row).toMatchObject({ tenantId, queue: 'sync', jobName: 'ghl.webhook', payload: expect.objectContaining({ tenantId, type: 'ContactDndUpdate', webhookId: delivery.event.webhookId }) });
  });

  it('verifies the bytes as sent: spacing and key order GHL chose are kept, a changed byte is refused', async () => {
    // Not what JSON.stringify would write: a re-serialised body would not verify.
    const raw = `{ "type":"ContactUpdate",  "timestamp":"${new Date().toISOString()}", "locationId":"${LOCATION}", "webhookId":"${randomUUID()}" }`;
    expect((await post(api, raw, { 'x-ghl-signature': sandbox.ghlSigner.sign(raw) })).status).toBe(200);
    const altered = raw.replace('ContactUpdate', 'ContactDelete');
    expectErrorBody(await post(api, altered, { 'x-ghl-signature': sandbox.ghlSigner.sign(raw) }), 401, 'invalid_signature');
  });

  it('refuses an unsigned webhook, one signed with another key, and a stale timestamp, with the standard error body', async () => {
    const raw = JSON.stringify(event());
    expectErrorBody(await post(api, raw, {}), 401, 'invalid_signature');
    expectErrorBody(await post(api, raw, { 'x-ghl-signature': sign(null, Buffer.from(raw), stranger.privateKey).toString('base64') }), 401, 'invalid_signature');
    expectErrorBody(await post(api, raw, { 'x-ghl-signature': 'not base64 at all!' }), 401, 'invalid_signature');
    const stale = JSON.stringify(event({ timestamp: new Date(Date.now() - 6 * 60_000).toISOString() }));
    expectErrorBody(await post(api, stale, { 'x-ghl-signature': sandbox.ghlSigner.sign(stale) }), 401, 'stale_webhook');
    expect(await inboxRows(api, JSON.parse(stale).webhookId)).toEqual([]);
  });

  it('a repeated webhookId is answered 200 and stored once', async () => {
    const raw = JSON.stringify(event());
    const headers = { 'x-ghl-signature': sandbox.ghlSigner.sign(raw) };
    expect((await post(api, raw, headers)).status).toBe(200);
    expect((await post(api, raw, headers)).status).toBe(200);
    expect(await inboxRows(api, JSON.parse(raw).webhookId)).toHaveLength(1);
  });

  it('acknowledges a location no tenant has and stores nothing; a signed non-webhook is a 400', async () => {
    const raw = JSON.stringify(event({ locationId: 'loc-nobody' }));
    const res = await post(api, raw, { 'x-ghl-signature': sandbox.ghlSigner.sign(raw) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: false });
    expect(await inboxRows(api, JSON.parse(raw).webhookId)).toEqual([]);
    const notJson = 'type=ContactCreate';
    expectErrorBody(await post(api, notJson, { 'x-ghl-signature': sandbox.ghlSigner.sign(notJson) }), 400);
    const noId = JSON.stringify({ type: 'ContactCreate', locationId: LOCATION, timestamp: new Date().toISOString() });
    expectErrorBody(await post(api, noId, { 'x-ghl-signature': sandbox.ghlSigner.sign(noId) }), 400);
  });

  it('accepts the legacy RSA x-wh-signature only while GHL_WEBHOOK_ACCEPT_LEGACY is on', async () => {
    const raw = JSON.stringify(event());
    const legacy = { 'x-wh-signature': sign('sha256', Buffer.from(raw), rsa.privateKey).toString('base64') };
    expectErrorBody(await post(api, raw, legacy), 401, 'invalid_signature');
    expect((await post(legacyApi, raw, legacy)).status).toBe(200);
    expect(await inboxRows(legacyApi, JSON.parse(raw).webhookId)).toHaveLength(1);
  });
});
