import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { createTenant, messages, webhookInbox, type InboundText } from '@fieldhand/db';
import { inboxJob, inboxJobId, jobCatalog } from '@fieldhand/queues';
import { batchedInboundStore, batchedInboxEnqueue } from '../src/webhooks/inbound-batches.js';
import { startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;
let tenantId: string;
beforeAll(async () => {
  api = await startTestApi();
  tenantId = (await createTenant(api.db, { name: 'Batch HVAC', timezone: 'America/Chicago' })).id;
});
afterAll(() => api.stop());

const text = (sid: string, overrides: Partial<InboundText> = {}): InboundText => {
  const id = randomUUID();
  const from = '+15127034000';
  return {
    id,
    tenantId,
    to: '+17372004001',
    from,
    body: `text ${sid}`,
    twilioSid: sid,
    segments: 1,
    correlationId: `corr-${sid}`,
    inbox: { provider: 'twilio-sms', ...inboxJob(jobCatalog, 'sms.inbound', { tenantId: overrides.tenantId ?? tenantId, messageId: id, from, intent: 'reply' }) },
    ...overrides,
  };
};

describe('batched inbound store', () => {
  it('stores a batch in input order; a MessageSid already stored or repeated in the batch gets no second row', async () => {
    const store = batchedInboundStore(api.db);
    const [earlier] = await Promise.all([store(text('SMbatch0'))]);
    expect(earlier).toBeDefined();

    // Called in one tick, so one batch.
    const results = await Promise.all(['SMbatch1', 'SMbatch0', 'SMbatch2', 'SMbatch1', 'SMbatch3'].map((sid) => store(text(sid))));
    expect(results.map((r) => r === undefined)).toEqual([false, true, false, true, false]);
    const rows = await api.db.select().from(messages).where(inArray(messages.twilioSid, ['SMbatch0', 'SMbatch1', 'SMbatch2', 'SMbatch3']));
    expect(rows).toHaveLength(4);
    for (const [i, sid] of ['SMbatch1', 'SMbatch2', 'SMbatch3'].entries()) {
      const job = results[i * 2]!;
      const message = rows.find((m) => m.twilioSid === sid)!;
      expect(job).toMatchObject({ queue: 'sms-inbound', jobName: 'sms.inbound', correlationId: `corr-${sid}` });
      expect(job.payload).toEqual({ tenantId, messageId: message.id, from: '+15127034000', intent: 'reply' });
    }
  });

  it('a text that cannot be stored fails alone; the rest of its batch is stored', async () => {
    const store = batchedInboundStore(api.db);
    const gone = randomUUID(); // a tenant deleted a moment ago: the foreign key refuses the row
    const settled = await Promise.allSettled([store(text('SMfine1')), store(text('SMorphan', { tenantId: gone })), store(text('SMfine2'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await api.db.select().from(webhookInbox).where(inArray(webhookInbox.externalId, ['SMfine1', 'SMfine2', 'SMorphan']))).toHaveLength(2);
  });
});

describe('batched inbox enqueue', () => {
  it('adds one job per row, with the row id as job id', async () => {
    const store = batchedInboundStore(api.db);
    const enqueue = batchedInboxEnqueue(api.bus);
    const jobs = await Promise.all(['SMq1', 'SMq2', 'SMq3'].map((sid) => store(text(sid))));
    await Promise.all(jobs.map((job) => enqueue(job!)));
    for (const job of jobs) {
      const queued = await api.bus.queue('sms-inbound').getJob(inboxJobId(job!.id));
      expect(queued?.data).toMatchObject({ ...job!.payload, correlationId: job!.correlationId });
    }
    const [row] = await api.db.select().from(webhookInbox).where(eq(webhookInbox.id, jobs[0]!.id));
    expect(row?.attempts).toBe(0);
  });
});
