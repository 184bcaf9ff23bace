// Vendor secrets at rest: a database dump shows none of them in clear; a key rotation
// seals every one with the new key, and the system keeps working without the old.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptionKeyId, EncryptionKeyError, findTenant, parseEncryptionKey, tenants, useEncryptionKeys } from '@fieldhand/db';
import { TEST_ENCRYPTION_KEY } from '@fieldhand/db/testing';
import { ADMIN_KEY, startTestApi, tenantInput, type TestApi } from './support/test-api.js';
import { sign } from './support/sms-harness.js';

let api: TestApi;
const secretsOf = (n: number) => ({
  clientSecret: `st-secret-${n}-${randomBytes(6).toString('hex')}`,
  appKey: `st-appkey-${n}-${randomBytes(6).toString('hex')}`,
  token: `ghl-token-${n}-${randomBytes(6).toString('hex')}`,
  authToken: `twilio-token-${n}-${randomBytes(6).toString('hex')}`,
});
const all: Array<{ id: string; from: string; secrets: ReturnType<typeof secretsOf> }> = [];

const dump = () => execFileSync('pg_dump', ['--data-only', api.config.database.DATABASE_URL], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

beforeAll(async () => {
  api = await startTestApi();
  api.config.http.PUBLIC_BASE_URL = api.url;
  for (const n of [1, 2, 3]) {
    const secrets = secretsOf(n);
    const input = tenantInput(`Sealed ${n}`, `+1512708000${n}`);
    const created = await api.request('/api/v1/tenants', {
      method: 'POST',
      key: ADMIN_KEY,
      body: {
        ...input,
        servicetitan: { ...input.servicetitan, clientSecret: secrets.clientSecret, appKey: secrets.appKey },
        ghl: { locationId: `loc-${n}`, token: secrets.token },
        twilio: { ...input.twilio, authToken: secrets.authToken },
      },
    });
    expect(created.status).toBe(201);
    all.push({ id: created.body.id, from: input.twilio.from, secrets });
  }
});
afterAll(() => api.stop());

/** An inbound text to the tenant's number signed with its auth token: 200 only if we can read that token. */
async function inboundVerifies(tenant: (typeof all)[number]): Promise<number> {
  const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: `AC${'a'.repeat(32)}`, From: '+15127081111', To: tenant.from, Body: 'hello' };
  const res = await fetch(`${api.url}/webhooks/twilio/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(tenant.secrets.authToken, `${api.url}/webhooks/twilio/sms`, params) },
    body: new URLSearchParams(params),
  });
  return res.status;
}

function expectNoSecretIn(text: string): void {
  for (const { secrets } of all) for (const value of Object.values(secrets)) expect(text).not.toContain(value);
}

describe('vendor secrets at rest', () => {
  it('pg_dump of three configured tenants holds no vendor secret in clear, and the tenants work', async () => {
    const text = dump();
    expect(text).toContain('fhenc:v1:');
    expectNoSecretIn(text);
    for (const tenant of all) {
      expect((await findTenant(api.db, tenant.id))?.servicetitan?.clientSecret).toBe(tenant.secrets.clientSecret);
      expect(await inboundVerifies(tenant)).toBe(200);
    }
  });

  it('a ciphertext copied into another field, or opened without its key, fails loudly instead of yielding a secret', async () => {
    const [a] = all;
    const raw = await api.db.execute<{ st: Record<string, string> }>(sql`select servicetitan as st from tenants where id = ${a!.id}`);
    await api.db.execute(sql`update tenants set ghl = jsonb_build_object('locationId', 'loc-x', 'token', ${raw.rows[0]!.st['clientSecret']}::text) where id = ${a!.id}`);
    await expect(findTenant(api.db, a!.id)).rejects.toThrow();
    await api.db.update(tenants).set({ ghl: { locationId: 'loc-1', token: a!.secrets.token } }).where(eq(tenants.id, a!.id));
    useEncryptionKeys(randomBytes(32).toString('base64'));
    await expect(findTenant(api.db, a!.id)).rejects.toThrow(EncryptionKeyError);
    useEncryptionKeys(TEST_ENCRYPTION_KEY);
  });

  it('rotation seals every secret, old ones and ones stored in clear, with the new key; the old key can then go', async () => {
    // A row written before encryption existed.
    const legacy = { id: '', from: '+15127080009', secrets: secretsOf(9) };
    const [row] = await api.db.execute<{ id: string }>(sql`insert into tenants (name, timezone, twilio) values ('Legacy', 'UTC', ${JSON.stringify({ from: legacy.from, accountSid: `AC${'a'.repeat(32)}`, authToken: legacy.secrets.authToken })}::jsonb) returning id`).then((r) => r.rows);
    legacy.id = row!.id;
    const newKey = randomBytes(32).toString('base64');
    useEncryptionKeys(newKey, [TEST_ENCRYPTION_KEY]);
    const rotated = await api.request('/api/v1/maintenance/rotate-encryption', { method: 'POST', key: ADMIN_KEY });
    expect(rotated.status).toBe(200);
    const newId = encryptionKeyId(parseEncryptionKey(newKey));
    expect(rotated.body).toEqual({ keyId: newId, rows: 4, secretsByKey: { [newId]: 13 } });

    useEncryptionKeys(newKey);
    all.push({ ...legacy, secrets: { ...legacy.secrets } });
    expectNoSecretIn(dump());
    for (const tenant of all) expect(await inboundVerifies(tenant)).toBe(200);
    useEncryptionKeys(TEST_ENCRYPTION_KEY);
    await expect(findTenant(api.db, all[0]!.id)).rejects.toThrow(EncryptionKeyError);
  });
});
