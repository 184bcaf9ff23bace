import { findReminderContext, type ReminderAppointment, type TenantRow } from '@fieldhand/db';
import { createOutboundMessage } from '@fieldhand/sms';
import { reminderRecipient } from './appointment-state.js';
import { nowOf, type ReminderDeps } from './reminder-deps.js';
import { renderReminderText, reminderVars } from './reminder-text.js';
import type { ReminderSettings } from './settings.js';

// An appointment dispatched this far from its start is a data fix, not a technician on the road.
const NOTICE_WINDOW_MS = 12 * 3_600_000;

/** The on-my-way text when an appointment becomes Dispatched: once per appointment and start (ledger key). */
export async function sendDispatchNotice(deps: ReminderDeps, tenant: TenantRow, appointment: ReminderAppointment, settings: ReminderSettings): Promise<boolean> {
  const now = nowOf(deps);
  if (!appointment.startsAt || Math.abs(appointment.startsAt.getTime() - now.getTime()) > NOTICE_WINDOW_MS) return false;
  const context = await findReminderContext(deps.db, tenant.id, appointment);
  const recipient = await reminderRecipient(deps.db, tenant, appointment, context.locationState);
  if (recipient.phone === null) return false;
  const body = renderReminderText(settings, 'dispatched', reminderVars(tenant.name, appointment, context, recipient.window.zone));
  await createOutboundMessage(
    deps.db,
    deps.bus,
    {
      tenantId: tenant.id,
      to: recipient.phone,
      body,
      idempotencyKey: `dispatch:${appointment.id}:${appointment.startsAt.toISOString()}`,
      location: { state: context.locationState ?? undefined },
      // Useless once the technician is there.
      sendBefore: new Date(now.getTime() + 2 * 3_600_000),
    },
    deps.logger,
  );
  return true;
}
