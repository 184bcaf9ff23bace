import { renderTemplate } from '@fieldhand/sms';
import type { ReminderAppointment, ReminderContext } from '@fieldhand/db';
import { appointmentDate, arrivalWindow, firstWord } from './render.js';
import { templateOf, type ReminderSettings, type TemplateName } from './settings.js';

export const CONFIRM_ASK = ' Reply C to confirm or R to reschedule.';

/** The template variables of one appointment, in the customer's zone. */
export function reminderVars(companyName: string, appointment: ReminderAppointment, context: ReminderContext, zone: string): Record<string, string> {
  const start = appointment.arrivalWindowStart ?? appointment.startsAt!;
  const end = appointment.arrivalWindowStart ? appointment.arrivalWindowEnd : appointment.endsAt;
  const vars: Record<string, string> = {
    firstName: firstWord(context.customerName) ?? 'there',
    companyName,
    appointmentDate: appointmentDate(start, zone),
    arrivalWindow: arrivalWindow(start, end, zone),
  };
  const technician = firstWord(context.technicianName);
  if (technician) vars.technicianFirstName = technician;
  return vars;
}

/** Renders `name`, or its *WithTechnician variant when a technician is assigned. */
export function renderReminderText(settings: ReminderSettings, name: 'reminder' | 'dispatched' | 'confirmed' | 'rescheduleRequested', vars: Record<string, string>): string {
  const withTechnician = `${name}WithTechnician` as TemplateName;
  const useTechnician = vars.technicianFirstName !== undefined && (withTechnician === 'reminderWithTechnician' || withTechnician === 'dispatchedWithTechnician');
  return renderTemplate(templateOf(settings, useTechnician ? withTechnician : name), vars);
}
