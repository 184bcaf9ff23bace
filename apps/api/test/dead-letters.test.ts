import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDeadLetter, recordDeadLetter, type DeadLetterRow } from '@fieldhand/db';
import { ADMIN_KEY, expectErrorBody, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;
const admin = { key: ADMIN_KEY };
const tenantA = '00000000-0000-4000-8000-00000000000a';
const tenantB = '00000000-0000-4000-8000-00000000000b';
let counter = 0;

async function deadLetter(overrides: Partial<Parameters<typeof recordDeadLetter>[1]> = {}): Promise<DeadLetterRow> {
  counter++;
  const row = await recordDeadLetter(api.db, {
    queue: 'maintenance',
    jobName: 'maintenance.reconcile-inbox',
    jobId: `job-${counter}`,
    data: { tenantId: null, n: counter },
    attempts: 3,
    error: `boom ${counter}`,
    stack: `Error: boom ${counter}\n    at handler`,
    tenantId: null,
    correlationId: `corr-${counter}`,
    ...overrides,
  });
  return row!;
}

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe('dead letters', () => {
  it('lists newest first, filters by queue and tenant, and pages with a cursor', async () => {
    const a = await deadLetter({ queue: 'sync', jobName: 'sync.pull', tenantId: tenantA, data: { tenantId: tenantA } });
    const b = await deadLetter({ queue: 'sms-send', jobName: 'sms.send', tenantId: tenantB, data: { tenantId: tenantB } });
    const c = await deadLetter({ queue: 'sync', jobName: 'sync.pull', tenantId: tenantB, data: { tenantId: tenantB } });

    const all = await api.request('/api/v1/dead-letters', admin);
    expect(all.status).toBe(200);
    expect(all.body.data.map((d: DeadLetterRow) => d.id).slice(0, 3)).toEqual([c.id, b.id, a.id]);
    expect(all.body.data[0]).toMatchObject({ queue: 'sync', jobName: 'sync.pull', error: c.error, stack: c.stack, attempts: 3, replayedAt: null });

    const sync = await api.request('/api/v1/dead-letters?queue=sync', admin);
    expect(sync.body.data.map((d: DeadLetterRow) => d.id)).toEqual([c.id, a.id]);
    const ofB = await api.request(`/api/v1/dead-letters?tenantId=${tenantB}`, admin);
    expect(ofB.body.data.map((d: DeadLetterRow) => d.id)).toEqual([c.id, b.id]);
    const both = await api.request(`/api/v1/dead-letters?queue=sync&tenantId=${tenantB}`, admin);
    expect(both.body.data.map((d: DeadLetterRow) => d.id)).toEqual([c.id]);

    const first = await api.request('/api/v1/dead-letters?limit=2', admin);
    expect(first.body.data).toHaveLength(2);
    const second = await api.request(`/api/v1/dead-letters?limit=2&cursor=${first.body.nextCursor}`, admin);
    expect(second.body.data[0].id).toBe(a.id);

    expectErrorBody(await api.request('/api/v1/dead-letters?queue=nope', admin), 400);
    expectErrorBody(await api.request('/api/v1/dead-letters?tenantId=nope', admin), 400);
  });

  it('gets one dead letter; 404 for an unknown id, 400 for a malformed one', async () => {
    const row = await deadLetter();
    const res = await api.request(`/api/v1/dead-letters/${row.id}`, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: row.id, data: row.data, correlationId: row.correlationId, failedAt: row.failedAt.toISOString() });
    expectErrorBody(await api.request('/api/v1/dead-letters/7c9e6679-7425-40de-944b-e07fc1f90ae7', admin), 404, 'dead_letter_not_found');
    expectErrorBody(await api.request('/api/v1/dead-letters/123', admin), 400, 'validation_failed');
  });

  it('replays into the original queue with the same data (202 { jobId }), once', async () => {
    const row = await deadLetter({ data: { tenantId: null, payload: 'again' }, correlationId: 'corr-replay' });
    const res = await api.request(`/api/v1/dead-letters/${row.id}/replay`, { method: 'POST', ...admin });
    expect(res.status).toBe(202);
    expect(typeof res.body.jobId).toBe('string');
    const job = await api.bus.queue('maintenance').getJob(res.body.jobId);
    expect(job?.name).toBe('maintenance.reconcile-inbox');
    expect(job?.data).toMatchObject({ tenantId: null, payload: 'again', correlationId: 'corr-replay' });
    expect((await findDeadLetter(api.db, row.id))?.replayedAt).toBeInstanceOf(Date);
    const again = await api.request(`/api/v1/dead-letters/${row.id}/replay`, { method: 'POST', ...admin });
    expect(again.body.jobId).toBe(res.body.jobId);
    expect(await api.bus.queue('maintenance').getJobCountByTypes('waiting')).toBe(1);
    const shown = await api.request(`/api/v1/dead-letters/${row.id}`, admin);
    expect(shown.body).toMatchObject({ replayJobId: res.body.jobId });
    expect(shown.body.replayedAt).toEqual(expect.any(String));
  });

  it('answers 404 when replaying an unknown dead letter and 409 for a queue that no longer exists', async () => {
    expectErrorBody(await api.request('/api/v1/dead-letters/7c9e6679-7425-40de-944b-e07fc1f90ae7/replay', { method: 'POST', ...admin }), 404);
    const orphan = await deadLetter({ queue: 'retired-queue' });
    expectErrorBody(await api.request(`/api/v1/dead-letters/${orphan.id}/replay`, { method: 'POST', ...admin }), 409, 'unknown_queue');
  });

  it('discards a dead letter (204), then 404', async () => {
    const row = await deadLetter();
    await api.bus.queue('dead-letter').add('maintenance/x', { deadLetterId: row.id }, { jobId: row.id });
    const res = await api.request(`/api/v1/dead-letters/${row.id}`, { method: 'DELETE', ...admin });
    expect(res.status).toBe(204);
    expect(await findDeadLetter(api.db, row.id)).toBeUndefined();
    expect(await api.bus.queue('dead-letter').getJob(row.id)).toBeUndefined();
    expectErrorBody(await api.request(`/api/v1/dead-letters/${row.id}`, { method: 'DELETE', ...admin }), 404);
  });
});
