import {
  deferReminder,
  findReminder,
  findReminderFire,
  findTenant,
  markReminderSent,
  reminderTextKey,
  settleReminders,
  transitionMessage,
  type ReminderRow,
} from '@fieldhand/db';
import { flushOutbox, reminderFireJobId, writeOutbox } from '@fieldhand/queues';
import { createOutboundMessage, nextSendTime } from '@fieldhand/sms';
import { chooseRecipient, noRemindersReason } from './appointment-state.js';
import { enqueueFire, planAppointment } from './plan-appointment.js';
import { nowOf, type ReminderDeps } from './reminder-deps.js';
import { CONFIRM_ASK, renderReminderText, reminderVars } from './reminder-text.js';
import { reminderEvent } from './reminder-events.js';
import { parseStoredSettings } from './settings.js';
import { MIN_LEAD_MS } from './timing.js';

export type FireOutcome = 'not-scheduled' | 'early' | 'replanned' | 'deferred' | 'skipped' | 'sent' | 'already-sent';

// A fire this much after its due time is late (workers were down): the late rule applies.
const ON_TIME_GRACE_MS = 2 * 60_000;

/**
 * Sends one due reminder through the SMS ledger (key reminder:<appointment>:<offset>:<start>),
 * so a crash, a retry, a twin job or a replay finds the text the first attempt stored and
 * never sends a second. The appointment, consent and the recipient's window are checked
 * again now: PostgreSQL is the truth, not the plan.
 */
export async function fireReminder(deps: ReminderDeps, data: { tenantId: string; reminderId: string }): Promise<FireOutcome> {
  const now = nowOf(deps);
  // One statement for the reminder and all it needs, and the tenant beside it: a burst fires thousands.
  const [fire, tenant] = await Promise.all([findReminderFire(deps.db, data.tenantId, data.reminderId), findTenant(deps.db, data.tenantId)]);
  const reminder = fire?.reminder;
  if (!fire || reminder?.status !== 'scheduled') return 'not-scheduled';
  if (reminder.dueAt.getTime() > now.getTime() + 1_000) {
    // A job from before the reminder was moved (the move enqueued its own), or a clock ahead
    // of ours: re-arm under a fresh id, since this job's own id is still taken while it runs.
    await deps.bus.enqueue('reminders.fire', data, { jobId: `${reminderFireJobId(reminder.id, reminder.dueAt)}-${now.getTime()}`, delay: reminder.dueAt.getTime() - now.getTime() });
    return 'early';
  }
  const settings = parseStoredSettings(fire.settings);
  const { appointment, context } = fire;
  const stillPlanned =
    tenant && appointment?.startsAt?.getTime() === reminder.appointmentStart.getTime() && !noRemindersReason(appointment, settings) && settings.offsetsMinutes.includes(reminder.offsetMinutes);
  if (!stillPlanned || !tenant || !appointment) {
    // The sync has not told us yet, or its job is behind this one: the plan cancels what no longer holds.
    await planAppointment(deps, data.tenantId, reminder.appointmentId);
    return 'replanned';
  }
  const start = reminder.appointmentStart.getTime();
  const late = now.getTime() - reminder.dueAt.getTime() > ON_TIME_GRACE_MS;
  if (start <= now.getTime() || (late && start - now.getTime() < MIN_LEAD_MS)) return skip(deps, reminder, 'too_late');

  const recipient = chooseRecipient(tenant, fire.candidates, fire.optedOut, context.locationState);
  if (recipient.phone === null) return skip(deps, reminder, recipient.reason);
  const { zone, window } = recipient.window;
  const opening = nextSendTime(now, zone, window);
  if (opening.getTime() > now.getTime()) {
    if (start - opening.getTime() < MIN_LEAD_MS) return skip(deps, reminder, 'quiet_hours');
    const moved = await deferReminder(deps.db, reminder.id, opening);
    if (moved) await enqueueFire(deps, moved, now);
    return 'deferred';
  }

  const body = renderReminderText(settings, 'reminder', reminderVars(tenant.name, appointment, context, zone)) + (settings.confirmByReply ? CONFIRM_ASK : '');
  const { message, created } = await createOutboundMessage(
    deps.db,
    deps.bus,
    {
      tenantId: data.tenantId,
      to: recipient.phone,
      body,
      idempotencyKey: reminderTextKey(reminder),
      location: { state: context.locationState ?? undefined },
      // Never after the visit began: a reminder then is worse than none.
      sendBefore: reminder.appointmentStart,
    },
    deps.logger,
  );
  if (!created && message.status === 'canceled') {
    // The text of this slot was cancelled before (the visit was cancelled, then booked back at the same time).
    await settleReminders(deps.db, data.tenantId, [reminder.id], { status: 'failed', reason: 'text_canceled' });
    return 'skipped';
  }
  if (await markSent(deps, reminder.id, message.id, message.to)) return 'sent';
  // A twin job marked it first (fine), or a cancel landed meanwhile: then the text must not go.
  const now2 = await findReminder(deps.db, data.tenantId, reminder.id);
  if (now2?.status === 'sent' && now2.messageId === message.id) return 'already-sent';
  await transitionMessage(deps.db, message.id, ['queued'], { status: 'canceled', source: 'reminders', errorMessage: `reminder ${now2?.status ?? 'deleted'}: ${now2?.reason ?? ''}` });
  return 'not-scheduled';
}

/** scheduled → sent, with its `reminder.sent` event in the same transaction. */
async function markSent(deps: ReminderDeps, reminderId: string, messageId: string, phone: string): Promise<boolean> {
  const outbox = await deps.db.transaction(async (tx) => {
    const sent = await markReminderSent(tx, reminderId, messageId, phone);
    return sent ? writeOutbox(tx, deps.bus.catalog, reminderEvent(sent, 'sent', messageId)) : undefined;
  });
  if (outbox) await flushOutbox(deps.bus, outbox).catch((err: unknown) => deps.logger.warn({ err, reminderId }, 'could not enqueue reminder.sent; the outbox reconciler will'));
  return outbox !== undefined;
}

async function skip(deps: ReminderDeps, reminder: ReminderRow, reason: string): Promise<FireOutcome> {
  await settleReminders(deps.db, reminder.tenantId, [reminder.id], { status: 'skipped', reason });
  deps.logger.info({ reminderId: reminder.id, appointmentId: reminder.appointmentId, reason }, 'reminder skipped');
  return 'skipped';
}
