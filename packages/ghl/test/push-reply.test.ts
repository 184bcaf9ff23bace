import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage, messages, vendorWrites } from '@fieldhand/db';
import { ADMIN_KEY } from '../../../apps/api/test/support/test-api.js';
import { SENDER } from '../../../apps/api/test/support/sms-harness.js';
import { pushReply } from '../src/index.js';
import { startSyncWorker, waitForIdle } from './harness.js';
import { ghlContact, startPushHarness, textAsCustomer, until, type PushHarness } from './push-harness.js';

let p: PushHarness;
beforeAll(async () => {
  p = await startPushHarness();
});
afterAll(() => p.stop());

const PHONE = '+15127039101';
let contactId: string;

async function sendAndWait(body: string, idempotencyKey: string): Promise<void> {
  const sent = await p.h.api.request(`/api/v1/tenants/${p.h.tenantId}/messages`, { method: 'POST', key: ADMIN_KEY, body: { to: PHONE, body, idempotencyKey } });
  expect([201, 202], sent.text).toContain(sent.status);
  await until(async () => !['queued', 'sending'].includes((await findMessage(p.h.api.db, p.h.tenantId, sent.body.id))!.status), 20_000, 'the text to leave');
}

/** The customer's inbound text with this body, once stored. */
async function inbound(body: string) {
  return until(async () => (await p.h.api.db.select().from(messages).where(and(eq(messages.tenantId, p.h.tenantId), eq(messages.direction, 'inbound'), eq(messages.body, body))))[0], 10_000, `inbound ${body}`);
}

describe("a customer's reply reaches the office in GHL", () => {
  beforeAll(async () => {
    contactId = await ghlContact(p.ghl, PHONE, { firstName: 'Ada', lastName: 'Lovelace' });
    const [pipeline] = await p.ghl.pipelines();
    await p.ghl.createOpportunity({ pipelineId: pipeline!.id, name: 'Furnace estimate', status: 'open', contactId, assignedTo: 'user-dispatch-1' });
    // The mirror learns the contact's open opportunity (and its owner) from a real sync pass.
    const sync = startSyncWorker(p.h.api.db, p.h.api.redis, p.h.sandbox);
    await sync.bus.enqueue('sync.start', { tenantId: p.h.tenantId, source: 'ghl', modules: ['contacts', 'opportunities'] });
    await waitForIdle(p.h.api.db, p.h.tenantId);
    await sync.close();
  });

  it('adds one note and one call-back task, assigned to the owner of the open opportunity', async () => {
    await sendAndWait('Your technician is on the way.', `reminder:9001:60:${new Date().toISOString()}`);
    await textAsCustomer(p.h, PHONE, SENDER, 'Can you come Tuesday instead?');
    const tasks = await until(async () => ((await p.ghl.contactTasks(contactId)).length > 0 ? p.ghl.contactTasks(contactId) : undefined), 20_000, 'the task');
    const notes = await p.ghl.contactNotes(contactId);
    expect(notes.map((n) => n.body)).toEqual(['Replied to appointment reminder: Can you come Tuesday instead?']);
    expect(tasks).toEqual([expect.objectContaining({ title: 'Call back Ada Lovelace', body: 'Replied to appointment reminder: Can you come Tuesday instead?', assignedTo: 'user-dispatch-1', completed: false })]);
  });

  it('a replayed job, and a retry after an attempt that reached GHL unrecorded, add nothing', async () => {
    const reply = await inbound('Can you come Tuesday instead?');
    // Replayed (as from the dead letters): a fresh job id, so it runs.
    await p.h.api.bus.enqueue('ghl.push-reply', { tenantId: p.h.tenantId, messageId: reply.id }, { jobId: 'replayed-reply' });
    await until(async () => (await p.h.api.bus.queue('ghl-push').getJob('replayed-reply'))?.isCompleted(), 20_000, 'the replayed job');
    // The worker died after GHL took the note and task, before the ledger heard back.
    await p.h.api.db.update(vendorWrites).set({ status: 'sending', claimedAt: new Date(Date.now() - 3_600_000) }).where(eq(vendorWrites.tenantId, p.h.tenantId));
    expect(await pushReply(p.push, { tenantId: p.h.tenantId, messageId: reply.id })).toMatchObject({ contactId, note: 'found', task: 'found' });
    expect(await pushReply(p.push, { tenantId: p.h.tenantId, messageId: reply.id })).toMatchObject({ note: 'already-done', task: 'already-done' });
    expect(await p.ghl.contactNotes(contactId)).toHaveLength(1);
    expect(await p.ghl.contactTasks(contactId)).toHaveLength(1);
  });

  it('keywords (STOP, HELP, C) add nothing; a reply to a text sent through the API says so', async () => {
    for (const body of ['HELP', 'C', 'STOP']) await textAsCustomer(p.h, PHONE, SENDER, body);
    for (const body of ['HELP', 'C', 'STOP']) {
      const message = await inbound(body);
      // What answer-reply's not-a-reminder path would enqueue for the C, and any replay of the others.
      expect(await pushReply(p.push, { tenantId: p.h.tenantId, messageId: message.id })).toEqual({ skipped: 'keyword' });
    }
    expect(await p.ghl.contactNotes(contactId)).toHaveLength(1);

    await textAsCustomer(p.h, PHONE, SENDER, 'START');
    await until(async () => (await p.h.api.request(`/api/v1/tenants/${p.h.tenantId}/consent/${encodeURIComponent(PHONE)}`, { key: ADMIN_KEY })).body?.optedOut === false, 20_000, 'the opt-in');
    await sendAndWait('Your invoice is ready.', 'invoice-77');
    await textAsCustomer(p.h, PHONE, SENDER, 'Thanks, paid it');
    // The note goes to GHL before the task: wait for both.
    await until(async () => (await p.ghl.contactNotes(contactId)).length === 2 && (await p.ghl.contactTasks(contactId)).length === 2, 20_000, 'the second note and task');
    expect((await p.ghl.contactNotes(contactId)).map((n) => n.body)).toContain('Replied to a text: Thanks, paid it');
    expect(await p.ghl.contactTasks(contactId)).toHaveLength(2);
  });
});
