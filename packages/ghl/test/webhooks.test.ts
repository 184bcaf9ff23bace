import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findConsent, findTenant, recordConsent, type Database } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { applyGhlWebhook, smsDndOf, type GhlWebhookDeps } from '../src/index.js';

let t: TestDatabase;
let db: Database;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let deps: GhlWebhookDeps;
let seq = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  redis = createTestRedis();
  bus = new JobBus(jobCatalog, redis.connect('producer'), redis.prefix);
  deps = { db, bus, logger: createLogger({ name: 'ghl-webhooks-test', level: 'silent' }) };
});
afterAll(async () => {
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function connectedTenant(): Promise<string> {
  return (await createTenant(db, { name: 'Acme HVAC', timezone: 'America/Chicago', ghl: { locationId: `loc-${++seq}`, token: 'pit-x' } })).id;
}

function webhook(tenantId: string, type: string, fields: Record<string, unknown>) {
  const webhookId = randomUUID();
  return { tenantId, webhookId, type, event: { type, webhookId, locationId: 'loc', timestamp: new Date().toISOString(), ...fields } };
}

const dnd = (status: string) => ({ dndSettings: { SMS: { status, message: '' } } });

describe('GHL webhooks, applied', () => {
  it('reads SMS DND from dndSettings.SMS, or the global dnd', () => {
    expect(smsDndOf(dnd('active'))).toBe(true);
    expect(smsDndOf(dnd('permanent'))).toBe(true);
    expect(smsDndOf(dnd('inactive'))).toBe(false);
    expect(smsDndOf({ dnd: true, ...dnd('inactive') })).toBe(true);
    expect(smsDndOf({ dnd: false })).toBe(false);
    expect(smsDndOf({ tags: ['vip'] })).toBeUndefined();
  });

  it('a contact whose SMS DND becomes active is opted out in Fieldhand with source ghl, and lifting it opts back in', async () => {
    const tenantId = await connectedTenant();
    const phone = '+15125550201';
    expect(await applyGhlWebhook(deps, webhook(tenantId, 'ContactDndUpdate', { id: 'c1', phone: '(512) 555-0201', ...dnd('active') }))).toMatchObject({ consent: 'opted_out', resync: 'contacts' });
    expect(await findConsent(db, tenantId, phone)).toMatchObject({ smsOptOut: true, source: 'ghl' });
    // The same state again changes nothing.
    expect(await applyGhlWebhook(deps, webhook(tenantId, 'ContactUpdate', { id: 'c1', phone, ...dnd('active') }))).toMatchObject({ consent: 'unchanged' });
    expect(await applyGhlWebhook(deps, webhook(tenantId, 'ContactDndUpdate', { id: 'c1', phone, ...dnd('inactive') }))).toMatchObject({ consent: 'opted_in' });
    expect(await findConsent(db, tenantId, phone)).toMatchObject({ smsOptOut: false, source: 'ghl' });
  });

  it('GHL lifting DND never undoes a STOP (or any opt-out that did not come from GHL)', async () => {
    const tenantId = await connectedTenant();
    const phone = '+15125550202';
    await recordConsent(db, { tenantId, phone, optOut: true, keyword: 'STOP', source: 'inbound_sms' });
    expect(await applyGhlWebhook(deps, webhook(tenantId, 'ContactDndUpdate', { id: 'c2', phone, ...dnd('inactive') }))).toMatchObject({ consent: 'unchanged' });
    expect(await findConsent(db, tenantId, phone)).toMatchObject({ smsOptOut: true, source: 'inbound_sms', keyword: 'STOP' });
    // An opt-out GHL reports for a number already opted out keeps the customer's own record.
    await applyGhlWebhook(deps, webhook(tenantId, 'ContactDndUpdate', { id: 'c2', phone, ...dnd('active') }));
    expect(await findConsent(db, tenantId, phone)).toMatchObject({ source: 'inbound_sms' });
  });

  it('an opt-out from GHL stops what is queued and tells the workflows (the one consent follow-up)', async () => {
    const tenantId = await connectedTenant();
    await applyGhlWebhook(deps, webhook(tenantId, 'ContactCreate', { id: 'c3', phone: '+15125550203', dnd: true }));
    const jobs = await bus.queue('sms-inbound').getJobs(['waiting', 'prioritized', 'delayed']);
    expect(jobs.filter((j) => j.name === 'sms.consent-changed' && j.data.tenantId === tenantId).map((j) => j.data)).toEqual([expect.objectContaining({ phone: '+15125550203', optedOut: true })]);
  });

  it('a changed opportunity asks for one incremental pass of that module, however many webhooks arrive together', async () => {
    const tenantId = await connectedTenant();
    for (const type of ['OpportunityStatusUpdate', 'OpportunityStageUpdate', 'OpportunityMonetaryValueUpdate']) {
      expect(await applyGhlWebhook(deps, webhook(tenantId, type, { id: 'o1' }))).toMatchObject({ resync: 'opportunities' });
    }
    const starts = (await bus.queue('sync').getJobs(['waiting', 'prioritized', 'delayed'])).filter((j) => j.name === 'sync.start' && j.data.tenantId === tenantId);
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(2); // the 5 s slot may turn over once
    expect(starts[0]!.data).toMatchObject({ source: 'ghl', modules: ['opportunities'] });
  });

  it('AppUninstall disconnects the location; an unknown event type is ignored', async () => {
    const tenantId = await connectedTenant();
    expect(await applyGhlWebhook(deps, webhook(tenantId, 'InboundMessage', { body: 'hi' }))).toEqual({ ignored: true });
    expect(await applyGhlWebhook(deps, webhook(tenantId, 'AppUninstall', {}))).toEqual({ uninstalled: true });
    expect((await findTenant(db, tenantId))?.ghl).toBeNull();
  });
});
