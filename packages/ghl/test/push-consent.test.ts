import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findConsent } from '@fieldhand/db';
import { setConsentFromGhl } from '@fieldhand/sms';
import { SENDER } from '../../../apps/api/test/support/sms-harness.js';
import { pushConsent } from '../src/index.js';
import { ghlContact, smsDnd, startPushHarness, textAsCustomer, until, type PushHarness } from './push-harness.js';

let p: PushHarness;
beforeAll(async () => {
  p = await startPushHarness();
});
afterAll(() => p.stop());

describe('opt-outs recorded in Fieldhand reach GHL', () => {
  it("a customer's STOP (Twilio's webhook, the sms worker) sets SMS DND active on every GHL contact with that phone, and START lifts it", async () => {
    const phone = '+15127039001';
    const contacts = [await ghlContact(p.ghl, phone, { firstName: 'Ada', lastName: 'Lovelace' })];
    // A second contact sharing the number (a household): GHL's upsert would merge it, so it gets the phone by PUT.
    const other = (await p.ghl.upsertContact({ firstName: 'Byron', lastName: 'Lovelace', email: 'byron@example.com' })).contact.id;
    await p.ghl.updateContact(other, { phone });
    contacts.push(other);
    await p.ghl.updateContact(other, { dndSettings: { Email: { status: 'active' } } });

    await textAsCustomer(p.h, phone, SENDER, 'STOP');
    for (const id of contacts) await until(async () => (await smsDnd(p.ghl, id)) === 'active', 20_000, `SMS DND of ${id}`);
    expect(await findConsent(p.h.api.db, p.h.tenantId, phone)).toMatchObject({ smsOptOut: true, source: 'inbound_sms' });
    // Only the SMS channel was written: the office's Email DND stands.
    expect((await p.ghl.getContact(other))['dndSettings']).toMatchObject({ Email: { status: 'active' }, SMS: { status: 'active' } });

    await textAsCustomer(p.h, phone, SENDER, 'START');
    for (const id of contacts) await until(async () => (await smsDnd(p.ghl, id)) === 'inactive', 20_000, `SMS DND of ${id} lifted`);
  });

  it('an opt-out GHL made itself is not written back to GHL', async () => {
    const phone = '+15127039002';
    const contactId = await ghlContact(p.ghl, phone, { firstName: 'Grace', lastName: 'Hopper' });
    const before = p.requests.length;
    await setConsentFromGhl({ db: p.h.api.db, bus: p.h.api.bus, logger: p.push.logger }, { tenantId: p.h.tenantId, phone, optOut: true, keyword: null });
    // The follow-up ran (sms worker), and so did its GHL job, which decided to do nothing.
    const job = await until(async () => {
      const done = await p.h.api.bus.queue('ghl-push').getJobs(['completed']);
      return done.find((j) => j.name === 'ghl.push-consent' && j.data.phone === phone);
    }, 20_000, 'the ghl.push-consent job');
    expect(job.returnvalue).toEqual({ skipped: 'from-ghl' });
    expect(p.requests.slice(before).filter((r) => r.includes(contactId))).toEqual([]);
  });

  it('a change a later one replaced is left to that one, and a tenant without GHL is a no-op', async () => {
    const phone = '+15127039003';
    await textAsCustomer(p.h, phone, SENDER, 'STOP');
    await until(async () => (await findConsent(p.h.api.db, p.h.tenantId, phone))?.smsOptOut === true, 10_000, 'the opt-out');
    expect(await pushConsent(p.push, { tenantId: p.h.tenantId, phone, optedOut: false, eventId: 'stale-opt-in' })).toEqual({ skipped: 'superseded' });
    const bare = await createTenant(p.h.api.db, { name: 'No GHL', timezone: 'America/Chicago' });
    expect(await pushConsent(p.push, { tenantId: bare.id, phone, optedOut: true, eventId: 'no-ghl' })).toEqual({ skipped: 'no-ghl' });
  });
});
