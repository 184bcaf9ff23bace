import { isLastAttempt } from '@fieldhand/queues';
import { answerReply, confirmAppointment, fireReminder, onAppointmentChanged, planTenant, type ReminderDeps } from '@fieldhand/reminders';
import { defineRole, type RoleDeps } from '../bootstrap/role.js';
import { serviceTitanClients } from '../bootstrap/servicetitan-clients.js';

/** Builds what the reminder handlers need; tests pass their own clock. */
export function reminderDeps(roleDeps: RoleDeps, clock?: () => Date): ReminderDeps {
  const { db, bus, logger } = roleDeps;
  return { db, bus, logger, serviceTitan: serviceTitanClients(roleDeps), ...(clock ? { clock } : {}) };
}

/** Plans reminders from appointment changes, fires them at their due time, takes C/R answers and confirms in ServiceTitan. */
export const remindersRole = defineRole({
  name: 'reminders',
  queues: ['reminders'],
  handlers: (roleDeps) => {
    const deps = reminderDeps(roleDeps);
    return {
      'reminders.appointment-changed': (data) => onAppointmentChanged(deps, data),
      'reminders.plan-tenant': (data) => planTenant(deps, data),
      'reminders.fire': (data) => fireReminder(deps, data),
      'reminders.reply': (data) => answerReply(deps, data),
      'reminders.confirm-appointment': (data, ctx) => confirmAppointment(deps, data, { lastAttempt: isLastAttempt(ctx.job) }),
    };
  },
});
