import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, findReminderSettings, upsertReminders, type NewReminder } from '@fieldhand/db';
import { useCliHarness } from './support/cli-harness.js';

const h = useCliHarness('reminders-cli-test');
const { cli } = h;

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
  tenantId = (await createTenant(h.db, { name: 'CLI Reminders HVAC', timezone: 'America/Chicago' })).id;
  const rows = await upsertReminders(h.db, [reminder(7001, 1440, 'sent'), reminder(7001, 120, 'scheduled'), reminder(7002, 1440, 'scheduled')]);
  sentId = rows.find((r) => r.status === 'sent')!.id;
});

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
    expect(await findReminderSettings(h.db, tenantId)).toMatchObject({ enabled: true, offsetsMinutes: [60] });

    const file = join(tmpdir(), `reminder-settings-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ enabled: true, dispatchNotice: true }));
    const fromFile = await cli(['reminders', 'settings', tenantId, '--set', file]);
    expect(fromFile.code, fromFile.err.join('\n')).toBe(0);
    // A PUT replaces: the offsets set inline are back to the default.
    expect(await findReminderSettings(h.db, tenantId)).toMatchObject({ enabled: true, dispatchNotice: true, offsetsMinutes: [1440, 120] });
    const [job] = (await h.bus.queue('reminders').getJobs(['prioritized', 'waiting'])).filter((j) => j.name === 'reminders.plan-tenant');
    expect(job?.data).toMatchObject({ tenantId });
  });

  it('names the bad field of a refused --set, and refuses text that is not JSON', async () => {
    const refused = await cli(['reminders', 'settings', tenantId, '--set', '{"offsetsMinutes":[0]}']);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/400 validation_failed/);
    expect(refused.err.join('\n')).toContain('offsetsMinutes.0:');
    expect(await findReminderSettings(h.db, tenantId)).toMatchObject({ offsetsMinutes: [1440, 120] });

    const notJson = await cli(['reminders', 'settings', tenantId, '--set', '{enabled: true}']);
    expect(notJson.code).toBe(1);
    expect(notJson.err[0]).toContain('--set: not JSON');
  });
});
