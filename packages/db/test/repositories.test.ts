import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  createTenant,
  insertInboxRow,
  listDeadLetters,
  listTenants,
  recordDeadLetter,
  revokeApiKey,
  tenants,
  toPublicTenant,
  verifyApiKey,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('tenants', () => {
  it('never exposes vendor secrets in the public view', async () => {
    const row = await createTenant(t.db, {
      name: 'Acme HVAC',
      timezone: 'America/Chicago',
      servicetitan: { tenantId: '123', clientId: 'cid', clientSecret: 'super-secret', appKey: 'app-key-secret' },
      ghl: { locationId: 'loc1', token: 'ghl-token-secret' },
      twilio: { from: '+15005550006', authToken: 'twilio-token-secret' },
    });
    const json = JSON.stringify(toPublicTenant(row));
    for (const secret of ['super-secret', 'app-key-secret', 'ghl-token-secret', 'twilio-token-secret']) {
      expect(json).not.toContain(secret);
    }
    expect(toPublicTenant(row)).toMatchObject({ servicetitan: { tenantId: '123', clientId: 'cid' }, twilio: { hasOwnAuthToken: true } });
  });

  it('pages with a stable cursor, even through rows with the same timestamp', async () => {
    // One statement: every row gets the same created_at, so only the id breaks ties.
    await t.db.insert(tenants).values(Array.from({ length: 5 }, (_, i) => ({ name: `T${i}`, timezone: 'UTC' })));
    for (let i = 0; i < 3; i++) await createTenant(t.db, { name: `U${i}`, timezone: 'UTC' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTenants(t.db, { limit: 2, cursor });
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await t.db.select().from(tenants)).length);
  });
});

describe('api keys', () => {
  it('verifies the key shown once, and nothing after revocation', async () => {
    const tenant = await createTenant(t.db, { name: 'Keys', timezone: 'UTC' });
    const { key, row } = await createApiKey(t.db, { tenantId: tenant.id, name: 'ci' });
    expect(row.hash).not.toContain(key.split('_')[2]);
    expect((await verifyApiKey(t.db, key))?.id).toBe(row.id);
    expect(await verifyApiKey(t.db, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await verifyApiKey(t.db, 'not-a-key')).toBeUndefined();
    expect(await revokeApiKey(t.db, tenant.id, row.id)).toBe(true);
    expect(await verifyApiKey(t.db, key)).toBeUndefined();
  });
});

describe('dead letters and inbox', () => {
  it('records the same final attempt once', async () => {
    const entry = { queue: 'q', jobName: 'j', jobId: '1', data: { a: 1 }, attempts: 3, error: 'boom' };
    expect(await recordDeadLetter(t.db, entry)).toBeDefined();
    expect(await recordDeadLetter(t.db, entry)).toBeUndefined();
    const page = await listDeadLetters(t.db, { queue: 'q', limit: 10 });
    expect(page.data).toHaveLength(1);
  });

  it('ignores a redelivered webhook', async () => {
    const row = { provider: 'twilio', externalId: 'SM1', queue: 'sms-inbound', jobName: 'sms.inbound', payload: {} };
    expect(await insertInboxRow(t.db, row)).toBeDefined();
    expect(await insertInboxRow(t.db, row)).toBeUndefined();
  });
});
