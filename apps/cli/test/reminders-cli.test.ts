import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@fieldhand/api';
import { loadConfig } from '@fieldhand/config';
import { createTenant, findReminderSettings, upsertReminders, type NewReminder } from '@fieldhand/db';
import { createTestDatabase, type TestDatabase } from '@fieldhand/db/testing';
import { createLogger } from '@fieldhand/observability';
import { jobCatalog, JobBus, type FieldhandCatalog } from '@fieldhand/queues';
import { createTestRedis, type TestRedis } from '@fieldhand/queues/testing';
import { main } from '../src/main.js';

const ADMIN_KEY = 'cli-reminders-admin-key-0123456789ab';
let t: TestDatabase;
let redis: TestRedis;
let bus: JobBus<FieldhandCatalog>;
let server: Server;
let url: string;
let tenantId: string;
let sentId: string;

const START = new Date('2031-05-06T14:00:00.000Z');
const reminder = (appointmentId: number, offsetMinutes: number, status: NewReminder['status']): NewReminder => ({
  tenantId,
  appointmentId,
  offsetMinutes,
  appointmentStart: START,
  dueAt: new Date(START.getTime() - offsetMinutes * 60_000),
  status,
  reason: null,
  phone: '+15127036101',
});

beforeAll(async () => {
  t = await createTestDatabase();
  redis = createTestRedis();
  const producer = redis.connect('producer');
  bus = new JobBus(jobCatalog, producer, redis.prefix);
  const config = loadConfig({ FIELDHAND_ADMIN_KEY: ADMIN_KEY, DATABASE_URL: t.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix });
  const app = createApp({ config, db: t.db, bus, redis: producer, logger: createLogger({ name: 'cli-reminders-test', level: 'silent' }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tenantId = (await createTenant(t.db, { name: 'CLI Reminders HVAC', timezone: 'America/Chicago' })).id;
  const rows = await upsertReminders(t.db, [reminder(7001, 1440, 'sent'), reminder(7001, 120, 'scheduled'), reminder(7002, 1440, 'scheduled')]);
  sentId = rows.find((r) => r.status === 'sent')!.id;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await bus.close();
  await redis.cleanup();
  await t.drop();
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--url', url, ...args], { env: { FIELDHAND_API_KEY: ADMIN_KEY }, cwd: '/nonexistent', output: { out: (l) => out.push(l), err: (l) => err.push(l) } });
  return { code, out, err };
}

type Row = { id: string; appointmentId: number; offsetMinutes: number; status: string };

describe('fieldhand reminders', () => {
  it('lists reminders, filtered by appointment and status, up to --limit', async () => {
    const all = await cli(['reminders', 'list', tenantId, '--json']);
    expect(all.code, all.err.join('\n')).toBe(0);
    expect(all.out).toHaveLength(3);

    const filtered = await cli(['reminders', 'list', tenantId, '--appointment', '7001', '--status', 'scheduled', '--json']);
    expect(filtered.out.map((l) => JSON.parse(l) as Row).map((r) => [r.appointmentId, r.offsetMinutes, r.status])).toEqual([[7001, 120, 'scheduled']]);

    // Two pages of one, stopped at the limit.
    expect((await cli(['reminders', 'list', tenantId, '--limit', '2', '--json'])).out).toHaveLength(2);

    const table = await cli(['reminders', 'list', tenantId, '--appointment', '7002']);
    expect(table.out[0]).toMatch(/^id\s+appointmentId\s+offsetMinutes\s+appointmentStart\s+dueAt\s+status/);
    expect(table.out).toHaveLength(2);
    expect(table.out[1]).toContain('7002');
  });

  it('passes a bad filter to the API, which refuses it', async () => {
    const result = await cli(['reminders', 'list', tenantId, '--status', 'done']);
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/400 validation_failed/);
    expect(result.err.join('\n')).toContain('status:');
  });

  it('shows one reminder; an unknown id fails', async () => {
    const shown = await cli(['reminders', 'show', tenantId, sentId]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out.join('\n'))).toMatchObject({ id: sentId, appointmentId: 7001, offsetMinutes: 1440, status: 'sent' });
    const missing = await cli(['reminders', 'show', tenantId, '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.err[0]).toMatch(/404 reminder_not_found/);
  });

  it('prints the settings and replaces them with --set, inline or from a file', async () => {
    const printed = await cli(['reminders', 'settings', tenantId]);
    expect(JSON.parse(printed.out.join('\n'))).toMatchObject({ enabled: false, offsetsMinutes: [1440, 120] });

    const inline = await cli(['reminders', 'settings', tenantId, '--set', '{"enabled":true,"offsetsMinutes":[60]}']);
    expect(inline.code, inline.err.join('\n')).toBe(0);
    expect(JSON.parse(inline.out.join('\n'))).toMatchObject({ enabled: true, offsetsMinutes: [60], confirmByReply: true });
    expect(await findReminderSettings(t.db, tenantId)).toMatchObject({ enabled: true, offsetsMinutes: [60] });

    const file = join(tmpdir(), `reminder-settings-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ enabled: true, dispatchNotice: true }));
    const fromFile = await cli(['reminders', 'settings', tenantId, '--set', file]);
    expect(fromFile.code, fromFile.err.join('\n')).toBe(0);
    // A PUT replaces: the offsets set inline are back to the default.
    expect(await findReminderSettings(t.db, tenantId)).toMatchObject({ enabled: true, dispatchNotice: true, offsetsMinutes: [1440, 120] });
    const [job] = (await bus.queue('reminders').getJobs(['prioritized', 'waiting'])).filter((j) => j.name === 'reminders.plan-tenant');
    expect(job?.data).toMatchObject({ tenantId });
  });

  it('names the bad field of a refused --set, and refuses text that is not JSON', async () => {
    const refused = await cli(['reminders', 'settings', tenantId, '--set', '{"offsetsMinutes":[0]}']);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/400 validation_failed/);
    expect(refused.err.join('\n')).toContain('offsetsMinutes.0:');
    expect(await findReminderSettings(t.db, tenantId)).toMatchObject({ offsetsMinutes: [1440, 120] });

    const notJson = await cli(['reminders', 'settings', tenantId, '--set', '{enabled: true}']);
    expect(notJson.code).toBe(1);
    expect(notJson.err[0]).toContain('--set: not JSON');
  });
});
