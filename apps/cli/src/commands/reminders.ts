import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { printRows, type Output } from '../output.js';

type Reminder = { id: string; appointmentId: number; offsetMinutes: number; appointmentStart: string; dueAt: string; status: string; reason: string | null; confirmedAt: string | null; rescheduleRequestedAt: string | null };

const answer = (r: Reminder) => (r.confirmedAt ? 'confirmed' : r.rescheduleRequestedAt ? 'reschedule' : '');

/** `--set` takes the JSON itself or a file holding it. */
async function settingsFrom(value: string): Promise<unknown> {
  const text = value.trimStart().startsWith('{') ? value : await readFile(value, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`--set: not JSON (${(error as Error).message})`);
  }
}

/** `fieldhand reminders …`: the appointment reminders planned for a tenant and its settings. */
export function registerReminderCommands(program: Command, client: () => ApiClient, output: Output): void {
  const reminders = program.command('reminders').description('appointment reminders: list, show, settings');

  reminders
    .command('list <tenantId>')
    .option('--appointment <id>', 'only the reminders of this ServiceTitan appointment')
    .option('--status <status>', 'scheduled, sent, cancelled, skipped or failed')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (tenantId: string, opts: { appointment?: string; status?: string; limit: string; json?: boolean }) => {
      const max = Number(opts.limit);
      if (!Number.isInteger(max) || max < 1) throw new Error('--limit must be a positive integer');
      const rows: Array<Reminder & { answer: string }> = [];
      const query = { appointmentId: opts.appointment, status: opts.status, limit: String(Math.min(max, 200)) };
      for await (const reminder of client().paginate<Reminder>(`/tenants/${tenantId}/reminders`, query)) {
        rows.push({ ...reminder, answer: answer(reminder) });
        if (rows.length >= max) break;
      }
      printRows(output, rows, ['id', 'appointmentId', 'offsetMinutes', 'appointmentStart', 'dueAt', 'status', 'answer', 'reason'], Boolean(opts.json));
    });

  reminders.command('show <tenantId> <reminderId>').action(async (tenantId: string, reminderId: string) => {
    output.out(JSON.stringify(await client().request('GET', `/tenants/${tenantId}/reminders/${encodeURIComponent(reminderId)}`), null, 2));
  });

  reminders
    .command('settings <tenantId>')
    .description('print the settings, or replace them with --set (omitted fields take their defaults)')
    .option('--set <json>', 'the new settings: inline JSON or a file holding it')
    .action(async (tenantId: string, opts: { set?: string }) => {
      const path = `/tenants/${tenantId}/reminders/settings`;
      const settings = opts.set === undefined ? await client().request('GET', path) : await client().request('PUT', path, await settingsFrom(opts.set));
      output.out(JSON.stringify(settings, null, 2));
    });
}
