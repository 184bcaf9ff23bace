// Appointment reminders over REST: the settings a tenant may set (and the ones it may
// not), the re-plan a change causes, and the reminders planned, each only to its tenant.
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReminderSettings, findStaleOutbox, upsertReminders, type NewReminder } from '@fieldhand/db';
import { createLogger } from '@fieldhand/observability';
import { createRedis, jobCatalog, JobBus } from '@fieldhand/queues';
import { startPrivateRedis } from '@fieldhand/queues/testing';
import { createApp } from '../src/app.js';
import { ADMIN_KEY, expectErrorBody, listen, startTestApi, tenantInput, type ApiResponse, type TestApi } from './support/test-api.js';

let api: TestApi;
const admin = { key: ADMIN_KEY };
const A = { tenantId: '', key: '', readKey: '', reminderIds: [] as string[] };
const B = { tenantId: '', reminderId: '' };

const DEFAULTS = { enabled: false, offsetsMinutes: [1440, 120], confirmByReply: true, dispatchNotice: false, excludeBusinessUnitIds: [], excludeJobTypeIds: [] };
const settingsPath = (tenantId: string) => `/api/v1/tenants/${tenantId}/reminders/settings`;
const remindersPath = (tenantId: string) => `/api/v1/tenants/${tenantId}/reminders`;

const START = new Date('2031-03-04T15:00:00.000Z');
const reminder = (tenantId: string, appointmentId: number, offsetMinutes: number, status: NewReminder['status'] = 'scheduled'): NewReminder => ({
  tenantId,
  appointmentId,
  offsetMinutes,
  appointmentStart: START,
  dueAt: new Date(START.getTime() - offsetMinutes * 60_000),
  status,
  reason: status === 'skipped' ? 'no mobile number' : null,
  phone: '+15127036001',
});

/** The plan-tenant jobs waiting in Redis for a tenant (new work is prioritized). */
async function planJobs(tenantId: string) {
  const jobs = await api.bus.queue('reminders').getJobs(['prioritized', 'waiting', 'delayed']);
  return jobs.filter((j) => j.name === 'reminders.plan-tenant' && j.data.tenantId === tenantId);
}

/** Asserts a 400 whose details name `field`: its zod path, or for an unknown key the object's path and the key. */
function expectFieldError(res: ApiResponse, field: string, parent = ''): void {
  const error = expectErrorBody(res, 400, 'validation_failed');
  const details = error.details as Array<{ path: string; message: string }>;
  expect(details.some((d) => d.path === field || (d.path === parent && d.message.includes(`"${field}"`))), JSON.stringify(details)).toBe(true);
}

beforeAll(async () => {
  api = await startTestApi();
  const make = async (name: string) => (await api.request('/api/v1/tenants', { method: 'POST', ...admin, body: tenantInput(name) })).body.id as string;
  A.tenantId = await make('Reminders A');
  B.tenantId = await make('Reminders B');
  const key = (scopes: string[]) => api.request(`/api/v1/tenants/${A.tenantId}/api-keys`, { method: 'POST', ...admin, body: { name: scopes.join('+'), scopes } });
  A.key = (await key(['read', 'write'])).body.key;
  A.readKey = (await key(['read'])).body.key;
  // Appointment 9001 with two reminders, 9002 with one of each other status.
  const rowsA = await upsertReminders(api.db, [
    reminder(A.tenantId, 9001, 1440),
    reminder(A.tenantId, 9001, 120),
    reminder(A.tenantId, 9002, 1440, 'sent'),
    reminder(A.tenantId, 9002, 120, 'skipped'),
    reminder(A.tenantId, 9002, 60, 'cancelled'),
    reminder(A.tenantId, 9002, 30, 'failed'),
  ]);
  A.reminderIds = rowsA.map((r) => r.id);
  const [rowB] = await upsertReminders(api.db, [reminder(B.tenantId, 9001, 1440)]);
  B.reminderId = rowB!.id;
}, 60_000);
afterAll(() => api.stop());

describe('GET/PUT …/reminders/settings', () => {
  it('a tenant that never set them gets the defaults', async () => {
    const res = await api.request(settingsPath(B.tenantId), admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULTS);
  });

  it('a full PUT is stored, returned and read back', async () => {
    const full = {
      enabled: true,
      offsetsMinutes: [2880, 60],
      confirmByReply: false,
      dispatchNotice: true,
      excludeBusinessUnitIds: [11, 12],
      excludeJobTypeIds: [21],
      templates: { reminder: 'Hi {{firstName}}, {{companyName}} sees you {{appointmentDate}}.', reminderWithTechnician: '{{technicianFirstName}} comes {{appointmentDate}}, {{arrivalWindow}}.' },
    };
    const res = await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body: full });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(full);
    expect(await findReminderSettings(api.db, A.tenantId)).toEqual(full);
    expect((await api.request(settingsPath(A.tenantId), { key: A.readKey })).body).toEqual(full);
  });

  it('a PUT replaces: fields it omits go back to their defaults', async () => {
    const res = await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body: { enabled: true, offsetsMinutes: [30] } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ...DEFAULTS, enabled: true, offsetsMinutes: [30] });
    expect(res.body).not.toHaveProperty('templates');
    expect((await api.request(settingsPath(A.tenantId), admin)).body).toEqual({ ...DEFAULTS, enabled: true, offsetsMinutes: [30] });
  });

  it('a PUT enqueues reminders.plan-tenant for the tenant, a new job each time', async () => {
    const before = (await planJobs(A.tenantId)).length;
    expect((await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body: { enabled: true } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 5));
    expect((await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body: { enabled: false } })).status).toBe(200);
    const jobs = await planJobs(A.tenantId);
    expect(jobs.length).toBe(before + 2);
    for (const job of jobs) {
      expect(job.id).toMatch(new RegExp(`^rem-plan-${A.tenantId}-\\d+$`));
      expect(job.data).toMatchObject({ tenantId: A.tenantId });
    }
  });

  const invalid: Array<[string, unknown, string, string?]> = [
    ['no offsets', { offsetsMinutes: [] }, 'offsetsMinutes'],
    ['a zero offset', { offsetsMinutes: [0] }, 'offsetsMinutes.0'],
    ['an offset over 30 days', { offsetsMinutes: [60, 43_201] }, 'offsetsMinutes.1'],
    ['six offsets', { offsetsMinutes: [10, 20, 30, 40, 50, 60] }, 'offsetsMinutes'],
    ['duplicate offsets', { offsetsMinutes: [120, 120] }, 'offsetsMinutes'],
    ['a fractional offset', { offsetsMinutes: [1.5] }, 'offsetsMinutes.0'],
    ['an unknown field', { enabled: true, sendAt: '09:00' }, 'sendAt'],
    ['an unknown template', { templates: { followUp: 'Hi {{firstName}}' } }, 'followUp', 'templates'],
    ['an unknown template variable', { templates: { reminder: 'Hi {{firstName}}, see you {{appointmentTime}}' } }, 'templates.reminder'],
    ['{{technicianFirstName}} in reminder', { templates: { reminder: 'Hi {{firstName}}, {{technicianFirstName}} is coming' } }, 'templates.reminder'],
    ['{{technicianFirstName}} in dispatched', { templates: { dispatched: '{{technicianFirstName}} is on the way' } }, 'templates.dispatched'],
    ['an empty template', { templates: { confirmed: '' } }, 'templates.confirmed'],
    ['enabled as a string', { enabled: 'yes' }, 'enabled'],
    ['offsets as a string', { offsetsMinutes: '1440' }, 'offsetsMinutes'],
    ['an offset as a string', { offsetsMinutes: ['1440'] }, 'offsetsMinutes.0'],
    ['a business unit id as a string', { excludeBusinessUnitIds: ['12'] }, 'excludeBusinessUnitIds.0'],
    ['a negative job type id', { excludeJobTypeIds: [-3] }, 'excludeJobTypeIds.0'],
    ['templates as a string', { templates: 'Hi' }, 'templates'],
  ];

  it.each(invalid)('refuses %s with 400 naming the field, and changes nothing', async (_name, body, field, parent) => {
    const stored = await findReminderSettings(api.db, A.tenantId);
    const jobs = (await planJobs(A.tenantId)).length;
    expectFieldError(await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body }), field, parent);
    expect(await findReminderSettings(api.db, A.tenantId)).toEqual(stored);
    expect((await planJobs(A.tenantId)).length).toBe(jobs);
  });

  it('accepts {{technicianFirstName}} in the *WithTechnician templates', async () => {
    const templates = { reminderWithTechnician: 'Hi {{firstName}}, {{technicianFirstName}} comes {{appointmentDate}}', dispatchedWithTechnician: '{{technicianFirstName}} is on the way' };
    const res = await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body: { templates } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.templates).toEqual(templates);
  });

  it('refuses a body that is not an object, and a read-only key', async () => {
    expectErrorBody(await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.key, body: [1440] }), 400, 'validation_failed');
    expectErrorBody(await api.request(settingsPath(A.tenantId), { method: 'PUT', key: A.readKey, body: { enabled: true } }), 403);
  });

  it('answers 404 for a tenant that does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expectErrorBody(await api.request(settingsPath(missing), admin), 404, 'tenant_not_found');
    expectErrorBody(await api.request(settingsPath(missing), { method: 'PUT', ...admin, body: {} }), 404, 'tenant_not_found');
  });
});

describe('GET …/reminders', () => {
  type Item = { id: string; appointmentId: number; offsetMinutes: number; status: string };
  const list = async (query: string, key = A.key) => api.request(`${remindersPath(A.tenantId)}${query}`, { key });

  it("lists the tenant's reminders, newest first, in the documented shape", async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.data.map((r: Item) => r.id).sort()).toEqual([...A.reminderIds].sort());
    const sent = res.body.data.find((r: Item) => r.status === 'sent');
    expect(sent).toEqual({
      id: expect.any(String),
      appointmentId: 9002,
      offsetMinutes: 1440,
      appointmentStart: START.toISOString(),
      dueAt: new Date(START.getTime() - 1440 * 60_000).toISOString(),
      status: 'sent',
      reason: null,
      messageId: null,
      confirmedAt: null,
      rescheduleRequestedAt: null,
    });
    expect(res.body.data.find((r: Item) => r.status === 'skipped')).toMatchObject({ reason: 'no mobile number' });
  });

  it('filters by appointment and by status', async () => {
    const byAppointment = await list('?appointmentId=9001');
    expect(byAppointment.body.data.map((r: Item) => [r.appointmentId, r.offsetMinutes]).sort()).toEqual([
      [9001, 120],
      [9001, 1440],
    ]);
    for (const status of ['scheduled', 'sent', 'cancelled', 'skipped', 'failed']) {
      const res = await list(`?status=${status}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length, status).toBe(status === 'scheduled' ? 2 : 1);
      expect(res.body.data.every((r: Item) => r.status === status)).toBe(true);
    }
    expect((await list('?appointmentId=9002&status=scheduled')).body.data).toEqual([]);
    expect((await list('?appointmentId=123456')).body.data).toEqual([]);
  });

  it('pages with nextCursor through every reminder once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await list(`?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...res.body.data.map((r: Item) => r.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual([...A.reminderIds].sort());
  });

  it.each([
    ['appointmentId=0', 'appointmentId'],
    ['appointmentId=-4', 'appointmentId'],
    ['appointmentId=abc', 'appointmentId'],
    ['appointmentId=1.5', 'appointmentId'],
    ['appointmentId=99999999999999999', 'appointmentId'],
    ['status=Scheduled', 'status'],
    ['status=done', 'status'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('refuses ?%s with 400', async (query, field) => {
    expectFieldError(await list(`?${query}`), field);
  });
});

describe('GET …/reminders/:id', () => {
  it('shows one of the tenant’s reminders', async () => {
    const res = await api.request(`${remindersPath(A.tenantId)}/${A.reminderIds[0]}`, { key: A.readKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: A.reminderIds[0], appointmentId: 9001, offsetMinutes: 1440, status: 'scheduled' });
  });

  it('answers 404 for an unknown id and for another tenant’s reminder; 400 for a non-uuid', async () => {
    expectErrorBody(await api.request(`${remindersPath(A.tenantId)}/00000000-0000-4000-8000-000000000000`, { key: A.key }), 404, 'reminder_not_found');
    expectErrorBody(await api.request(`${remindersPath(A.tenantId)}/${B.reminderId}`, admin), 404, 'reminder_not_found');
    expectErrorBody(await api.request(`${remindersPath(A.tenantId)}/${B.reminderId}`, { key: A.key }), 404, 'reminder_not_found');
    expectErrorBody(await api.request(`${remindersPath(A.tenantId)}/not-a-uuid`, { key: A.key }), 400, 'validation_failed');
  });
});

describe('tenant isolation', () => {
  it("tenant A's key gets 403 on every reminders route of tenant B, and B's settings stay as they were", async () => {
    const before = await findReminderSettings(api.db, B.tenantId);
    const jobs = (await planJobs(B.tenantId)).length;
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', settingsPath(B.tenantId)],
      ['PUT', settingsPath(B.tenantId), { enabled: true }],
      ['GET', remindersPath(B.tenantId)],
      ['GET', `${remindersPath(B.tenantId)}?appointmentId=9001`],
      ['GET', `${remindersPath(B.tenantId)}/${B.reminderId}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api.request(path, { method, key: A.key, body });
      expectErrorBody(res, 403, 'forbidden');
      expect(res.text).not.toContain(B.reminderId);
    }
    expect(await findReminderSettings(api.db, B.tenantId)).toEqual(before);
    expect((await planJobs(B.tenantId)).length).toBe(jobs);
  });

  it("tenant A's list never shows B's reminders, even for the same appointment id", async () => {
    const res = await api.request(`${remindersPath(A.tenantId)}?appointmentId=9001&limit=200`, { key: A.key });
    expect(res.body.data.map((r: { id: string }) => r.id)).not.toContain(B.reminderId);
  });
});

describe('PUT …/reminders/settings while Redis is down', () => {
  it('stores the settings with their re-plan in the outbox, answers 200 and logs that the reconciler will enqueue it', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const redis = await startPrivateRedis();
    const producer = createRedis(redis.url, 'producer');
    producer.on('error', () => undefined);
    const bus = new JobBus(jobCatalog, producer, 'reminders-redis-down');
    const app = createApp({ config: api.config, db: api.db, bus, redis: producer, logger: createLogger({ name: 'reminders-down', level: 'warn', destination }) });
    const { server, url }: { server: Server; url: string } = await listen(app);
    try {
      // As in a running API (bull-board opens every queue at boot), the queue was up before the outage.
      await bus.queue('reminders').waitUntilReady();
      await redis.stop();
      const outageStarted = new Date();
      const res = await fetch(`${url}${settingsPath(A.tenantId)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${A.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true, offsetsMinutes: [90] }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ...DEFAULTS, enabled: true, offsetsMinutes: [90] });
      expect(await findReminderSettings(api.db, A.tenantId)).toEqual({ ...DEFAULTS, enabled: true, offsetsMinutes: [90] });
      expect(lines.join('')).toContain('could not enqueue the re-plan after a settings change; the outbox reconciler will');
      const pending = await findStaleOutbox(api.db, new Date(Date.now() + 60_000), 1_000);
      // Earlier PUTs of this file left theirs too (no worker consumes them here): count this one's.
      expect(pending.filter((row) => row.jobName === 'reminders.plan-tenant' && row.tenantId === A.tenantId && row.createdAt >= outageStarted)).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      // BullMQ's close waits for a connection; give it one, then stop for good.
      await redis.start();
      await bus.close().catch(() => undefined);
      producer.disconnect();
      await redis.stop();
    }
  }, 30_000);
});
