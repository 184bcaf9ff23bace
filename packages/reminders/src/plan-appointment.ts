import {
  findMessageByKey,
  findReminderAppointment,
  findReminderContext,
  findTenant,
  listAppointmentReminders,
  reminderTextKey,
  settleReminders,
  transitionMessage,
  upsertReminders,
  type NewReminder,
  type ReminderRow,
} from '@fieldhand/db';
import { reminderFireJobId } from '@fieldhand/queues';
import { noRemindersReason, reminderRecipient } from './appointment-state.js';
import { sendDispatchNotice } from './dispatch-notice.js';
import { nowOf, type ReminderDeps } from './reminder-deps.js';
import { loadReminderSettings } from './settings.js';
import { reminderTiming, supersededOffsets } from './timing.js';

export type PlanOutcome = { planned: number; cancelled: number; skipped: number; reason?: string };

/**
 * Plans, moves or cancels one appointment's reminders from the mirror as it is now, so
 * any change (or the same change seen twice) converges on the same rows: one per
 * (appointment, offset, start). Reminders of another start are cancelled as
 * `rescheduled`; an appointment that ended or left the settings cancels the rest.
 * `fromChange`: planned because the sync saw the appointment change (the on-my-way text
 * goes only then).
 */
export async function planAppointment(deps: ReminderDeps, tenantId: string, appointmentId: number, options: { fromChange?: boolean } = {}): Promise<PlanOutcome> {
  const now = nowOf(deps);
  const [settings, appointment, existing] = await Promise.all([
    loadReminderSettings(deps.db, tenantId),
    findReminderAppointment(deps.db, tenantId, appointmentId),
    listAppointmentReminders(deps.db, tenantId, appointmentId),
  ]);
  const tenant = await findTenant(deps.db, tenantId);
  if (!tenant) return { planned: 0, cancelled: 0, skipped: 0, reason: 'tenant_deleted' };
  // Only a change seen by the sync is a technician setting off; a re-plan of the tenant is not.
  if (options.fromChange && appointment?.status === 'Dispatched' && settings.dispatchNotice) await sendDispatchNotice(deps, tenant, appointment, settings);

  const ended = noRemindersReason(appointment, settings);
  if (ended || !appointment?.startsAt) {
    const cancelled = await cancelOpen(deps, tenantId, existing, () => ended ?? 'no_start');
    return { planned: 0, cancelled, skipped: 0, reason: ended ?? 'no_start' };
  }
  const start = appointment.startsAt;
  const cancelled = await cancelOpen(deps, tenantId, existing, (r) =>
    r.appointmentStart.getTime() !== start.getTime() ? 'rescheduled' : settings.offsetsMinutes.includes(r.offsetMinutes) ? null : 'settings_changed',
  );
  // A visit already past gets no reminders, and no rows for them.
  if (start.getTime() <= now.getTime()) return { planned: 0, cancelled, skipped: 0, reason: 'past' };

  const known = new Set(existing.filter((r) => r.appointmentStart.getTime() === start.getTime()).map((r) => r.offsetMinutes));
  const missing = settings.offsetsMinutes.filter((offset) => !known.has(offset));
  let rows: ReminderRow[] = [];
  if (missing.length > 0) {
    const context = await findReminderContext(deps.db, tenantId, appointment);
    const recipient = await reminderRecipient(deps.db, tenant, appointment, context.locationState);
    const base = { tenantId, appointmentId, appointmentStart: start, phone: recipient.phone };
    let planned: NewReminder[];
    if (recipient.phone === null) {
      planned = missing.map((offsetMinutes) => ({ ...base, offsetMinutes, dueAt: new Date(start.getTime() - offsetMinutes * 60_000), status: 'skipped', reason: recipient.reason }));
    } else {
      const { zone, window } = recipient.window;
      const timings = missing.map((offsetMinutes) => ({ offsetMinutes, timing: reminderTiming({ start, offsetMinutes, now, zone, window }) }));
      const superseded = supersededOffsets(timings);
      planned = timings.map(({ offsetMinutes, timing }) =>
        superseded.has(offsetMinutes)
          ? // A skipped reminder shows when it was due, not when it would have gone.
            { ...base, offsetMinutes, dueAt: new Date(start.getTime() - offsetMinutes * 60_000), status: 'skipped' as const, reason: 'superseded' }
          : { ...base, offsetMinutes, dueAt: timing.dueAt, ...(timing.status === 'scheduled' ? { status: 'scheduled' as const, reason: null } : { status: 'skipped' as const, reason: timing.reason }) },
      );
    }
    rows = await upsertReminders(deps.db, planned);
  }
  // Every scheduled reminder of this start gets its job, also those planned by an earlier
  // attempt that died before enqueueing: the job id makes a repeat a no-op.
  const scheduled = [...existing.filter((r) => r.status === 'scheduled' && r.appointmentStart.getTime() === start.getTime() && settings.offsetsMinutes.includes(r.offsetMinutes)), ...rows.filter((r) => r.status === 'scheduled')];
  for (const reminder of scheduled) await enqueueFire(deps, reminder, now);
  return { planned: rows.filter((r) => r.status === 'scheduled').length, cancelled, skipped: rows.filter((r) => r.status === 'skipped').length };
}

export async function enqueueFire(deps: Pick<ReminderDeps, 'bus'>, reminder: Pick<ReminderRow, 'id' | 'tenantId' | 'dueAt'>, now: Date): Promise<void> {
  await deps.bus.enqueue(
    'reminders.fire',
    { tenantId: reminder.tenantId, reminderId: reminder.id },
    { jobId: reminderFireJobId(reminder.id, reminder.dueAt), delay: Math.max(0, reminder.dueAt.getTime() - now.getTime()) },
  );
}

/**
 * Cancels the reminders `reasonFor` names a reason for: scheduled ones, and sent ones
 * whose text is still queued in the ledger (the text is cancelled with them).
 */
async function cancelOpen(deps: ReminderDeps, tenantId: string, reminders: readonly ReminderRow[], reasonFor: (r: ReminderRow) => string | null): Promise<number> {
  let cancelled = 0;
  for (const reminder of reminders) {
    const reason = reasonFor(reminder);
    if (!reason || (reminder.status !== 'scheduled' && reminder.status !== 'sent')) continue;
    // The fire may have stored the text and not yet marked the reminder: the ledger key finds it either way.
    const message = await findMessageByKey(deps.db, tenantId, reminderTextKey(reminder));
    const textStopped = message ? await transitionMessage(deps.db, message.id, ['queued'], { status: 'canceled', source: 'reminders', errorMessage: `reminder cancelled: ${reason}` }) : undefined;
    if (reminder.status === 'sent' && !textStopped) continue;
    cancelled += (await settleReminders(deps.db, tenantId, [reminder.id], { status: 'cancelled', reason }, ['scheduled', 'sent'])).length;
  }
  return cancelled;
}
