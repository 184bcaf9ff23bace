import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyStatusCallback,
  createApiKey,
  createTenant,
  insertInboxRow,
  listDeadLetters,
  listTenants,
  messages,
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
    expect(row.hash).not.toContain(key.slice(`fh_${row.prefix}_`.length));
    expect((await verifyApiKey(t.db, key))?.id).toBe(row.id);
    expect(await verifyApiKey(t.db, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await verifyApiKey(t.db, 'not-a-key')).toBeUndefined();
    expect(await revokeApiKey(t.db, row.id, tenant.id)).toBe(true);
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

describe('status callbacks', () => {
  it('applies a callback racing the commit of its SID, never calling it a duplicate', async () => {
    // Each pair: a send committing the SID Twilio gave it, and that SID's callback, at the same moment.
    // A callback whose update misses the row but whose next read sees it must still apply.
    const tenant = await createTenant(t.db, { name: 'Race HVAC', timezone: 'America/Chicago' });
    const rows = await t.db
      .insert(messages)
      .values(Array.from({ length: 300 }, (_, i) => ({ tenantId: tenant.id, direction: 'outbound' as const, to: `+1512555${String(i).padStart(4, '0')}`, body: `race ${i}`, status: 'sending', segments: 1 })))
      .returning({ id: messages.id });
    const sidOf = (i: number) => `SM${String(i).padStart(32, 'f')}`;
    const outcomes = await Promise.all(
      rows.map(async (row, i) => {
        const commit = t.db.update(messages).set({ twilioSid: sidOf(i), status: 'accepted' }).where(eq(messages.id, row.id));
        // As the sms worker does: an unknown SID is tried again until the send has committed it.
        const callback = (async () => {
          for (;;) {
            const outcome = await applyStatusCallback(t.db, { tenantId: tenant.id }, sidOf(i), 'delivered', null);
            if (outcome !== 'unknown') return outcome;
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
        return (await Promise.all([callback, commit]))[0];
      }),
    );
    expect(outcomes.filter((o) => o !== 'applied')).toEqual([]);
    const after = await t.db.select().from(messages).where(inArray(messages.id, rows.map((r) => r.id)));
    expect(after.filter((m) => m.status !== 'delivered')).toEqual([]);
  });
});
