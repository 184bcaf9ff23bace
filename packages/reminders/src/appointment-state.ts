import { findConsent, findReminderCandidates, type Executor, type ReminderAppointment, type TenantRow } from '@fieldhand/db';
import { recipientWindow, type RecipientWindow } from '@fieldhand/sms';
import type { ReminderSettings } from './settings.js';

// Statuses after which a visit gets no more reminders (Scheduled is the one that does).
const END_REASONS: Record<string, string> = { Canceled: 'canceled', Done: 'done', Dispatched: 'dispatched', Working: 'working', Hold: 'hold' };

/**
 * Why an appointment gets no reminders (any more), or null when it should have them:
 * canceled or done (or its job canceled), already under way, reminders off, or
 * excluded by business unit or job type.
 */
export function noRemindersReason(appointment: ReminderAppointment | undefined, settings: ReminderSettings): string | null {
  if (!appointment || !appointment.active) return 'deleted';
  if (appointment.jobStatus === 'Canceled') return 'job_canceled';
  const ended = appointment.status ? END_REASONS[appointment.status] : undefined;
  if (ended) return ended;
  if (!appointment.startsAt) return 'no_start';
  if (!settings.enabled) return 'disabled';
  if (appointment.businessUnitId !== null && settings.excludeBusinessUnitIds.includes(appointment.businessUnitId)) return 'excluded_business_unit';
  if (appointment.jobTypeId !== null && settings.excludeJobTypeIds.includes(appointment.jobTypeId)) return 'excluded_job_type';
  return null;
}

export type Recipient = { phone: string; window: RecipientWindow } | { phone: null; reason: 'no_recipient' | 'opted_out' };

/**
 * Who a reminder goes to: the service location's contact's mobile, else the customer's;
 * never a number marked "do not text" in ServiceTitan or opted out with us.
 */
export async function reminderRecipient(db: Executor, tenant: TenantRow, appointment: ReminderAppointment, locationState: string | null): Promise<Recipient> {
  const candidates = await findReminderCandidates(db, tenant.id, appointment.customerId, appointment.locationId);
  const optedOut: string[] = [];
  for (const phone of candidates) {
    if ((await findConsent(db, tenant.id, phone))?.smsOptOut) optedOut.push(phone);
    else break;
  }
  return chooseRecipient(tenant, candidates, optedOut, locationState);
}

/** The first candidate not opted out, with the window that applies to it. */
export function chooseRecipient(tenant: TenantRow, candidates: readonly string[], optedOut: readonly string[], locationState: string | null): Recipient {
  const phone = candidates.find((candidate) => !optedOut.includes(candidate));
  if (!phone) return { phone: null, reason: candidates.length > 0 ? 'opted_out' : 'no_recipient' };
  return { phone, window: recipientWindow({ phone, state: locationState }, tenant.timezone, tenant.twilio?.sendWindow) };
}
