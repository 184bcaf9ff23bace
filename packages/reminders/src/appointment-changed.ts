import { findJobAppointmentIds, findUpcomingAppointmentIds } from '@fieldhand/db';
import { planAppointment, type PlanOutcome } from './plan-appointment.js';
import { nowOf, type ReminderDeps } from './reminder-deps.js';

/** A synced appointment change, or a job canceled: re-plans the appointments it concerns. */
export async function onAppointmentChanged(deps: ReminderDeps, data: { tenantId: string; appointmentId?: number | undefined; jobId?: number | undefined }): Promise<PlanOutcome[]> {
  const ids = data.appointmentId !== undefined ? [data.appointmentId] : data.jobId !== undefined ? await findJobAppointmentIds(deps.db, data.tenantId, data.jobId) : [];
  const outcomes: PlanOutcome[] = [];
  for (const id of ids) outcomes.push(await planAppointment(deps, data.tenantId, id, { fromChange: true }));
  return outcomes;
}

const PAGE = 500;

/** Re-plans every upcoming appointment of a tenant (settings changed, or a first sync brought them in). */
export async function planTenant(deps: ReminderDeps, data: { tenantId: string }): Promise<{ appointments: number; planned: number; cancelled: number }> {
  const now = nowOf(deps);
  const totals = { appointments: 0, planned: 0, cancelled: 0 };
  for (let after = 0; ; ) {
    const ids = await findUpcomingAppointmentIds(deps.db, data.tenantId, now, after, PAGE);
    for (const id of ids) {
      const outcome = await planAppointment(deps, data.tenantId, id);
      totals.appointments++;
      totals.planned += outcome.planned;
      totals.cancelled += outcome.cancelled;
    }
    if (ids.length < PAGE) break;
    after = ids.at(-1)!;
  }
  deps.logger.info(totals, 'reminders re-planned for the tenant');
  return totals;
}
