import type { ReminderRow } from '@fieldhand/db';
import { eventJob, type EventJob } from '@fieldhand/events';

const E164 = /^\+\d{8,15}$/;

export type ReminderChange = 'sent' | 'confirmed' | 'reschedule_requested';

/**
 * `reminder.<change>`. A reminder is sent once (`reminder-<reminderId>-sent`); an
 * appointment at a start is answered once, whichever of its reminders the reply answers
 * (`reminder-<appointmentId>-<start ms>-<change>`). `messageId` is the reminder's text
 * for `sent`, the customer's reply for an answer. None for a number that is not E.164.
 */
export function reminderEvent(reminder: Pick<ReminderRow, 'id' | 'tenantId' | 'appointmentId' | 'appointmentStart' | 'phone'>, change: ReminderChange, messageId: string): EventJob[] {
  const id = change === 'sent' ? `reminder-${reminder.id}-sent` : `reminder-${reminder.appointmentId}-${reminder.appointmentStart.getTime()}-${change}`;
  if (!reminder.phone || !E164.test(reminder.phone)) return [];
  const data = { reminderId: reminder.id, appointmentId: reminder.appointmentId, phone: reminder.phone, messageId };
  return [eventJob(reminder.tenantId, `reminder.${change}`, data, { id })];
}
