import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createTenant, listMessages, messages, recordConsent, stCustomerContacts, stCustomers } from '@fieldhand/db';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('cli-people-test');
const { cli } = h;
const SENDER = '+17372004201';
const LEO = '+15127036301';
let tenantId: string;

beforeAll(async () => {
  const db = h.db;
  tenantId = (await createTenant(db, { name: 'CLI People HVAC', timezone: 'America/Chicago', twilio: { from: SENDER } })).id;
  await db.insert(stCustomers).values({ tenantId, id: 71, active: true, modifiedOn: new Date(), raw: { name: 'Leo Park' }, name: 'Leo Park' });
  await db.insert(stCustomerContacts).values({ tenantId, id: 711, active: true, modifiedOn: new Date(), raw: { value: '512-703-6301' }, customerId: 71, type: 'MobilePhone', value: '512-703-6301', phone: LEO });
  await db.insert(messages).values([
    { tenantId, direction: 'outbound', to: LEO, from: SENDER, body: 'Your tune-up is booked for Monday morning', status: 'delivered', segments: 1 },
    { tenantId, direction: 'inbound', to: SENDER, from: LEO, body: 'STOP', status: 'received', segments: 1 },
  ]);
  await recordConsent(db, { tenantId, phone: LEO, optOut: true, keyword: 'STOP', source: 'inbound_sms' });
});

describe('fieldhand people and audit', () => {
  it('exports a number as JSON, refuses to erase without --yes, erases with it, and the audit shows who', async () => {
    const exported = await cli(['people', 'export', tenantId, '(512) 703-6301']);
    expect(exported.code, exported.err.join('\n')).toBe(0);
    const data = JSON.parse(exported.out.join('\n')) as { phone: string; messages: Array<{ body: string }>; consent: { smsOptOut: boolean }; servicetitan: { customers: Array<{ name: string }> } };
    expect(data.phone).toBe(LEO);
    expect(data.messages.map((m) => m.body).sort()).toEqual(['STOP', 'Your tune-up is booked for Monday morning']);
    expect(data.consent.smsOptOut).toBe(true);
    expect(data.servicetitan.customers.map((c) => c.name)).toEqual(['Leo Park']);

    const refused = await cli(['people', 'erase', tenantId, LEO]);
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain('--yes');
    expect((await listMessages(h.db, { tenantId, limit: 10 })).data.map((m) => m.body)).toContain('STOP');

    const key = await createApiKey(h.db, { tenantId, name: 'office' });
    const erased = await cli(['people', 'erase', tenantId, LEO, '--yes'], { FIELDHAND_API_KEY: key.key });
    expect(erased.code, erased.err.join('\n')).toBe(0);
    expect(erased.out[0]).toMatch(/^\+15127036301 erased at .*messages 2/);
    expect(erased.out[1]).toBe('consent kept: opted out');
    expect((await listMessages(h.db, { tenantId, limit: 10 })).data.map((m) => m.body)).toEqual(['', '']);

    const audit = await cli(['audit', '--tenant', tenantId, '--json']);
    expect(audit.code, audit.err.join('\n')).toBe(0);
    const entries = audit.out.map((l) => JSON.parse(l) as { action: string; actor: string; target: { phone: string } });
    expect(entries[0]).toMatchObject({ action: 'person.erased', actor: key.row.prefix, target: { phone: '+*******6301' } });

    const table = await cli(['audit']);
    expect(table.out[0]).toMatch(/^createdAt\s+actor\s+action\s+tenantId/);
    // The audit log is the admin's: a tenant key gets 403 (exit 77).
    expect((await cli(['audit'], { FIELDHAND_API_KEY: key.key })).code).toBe(77);
  });
});
