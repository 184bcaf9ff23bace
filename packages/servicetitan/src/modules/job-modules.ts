import { stAppointmentAssignments, stAppointments, stJobs } from '@fieldhand/db';
import type { ChangeEvent, RowChange } from '@fieldhand/sync';
import type { StModuleSpec } from './st-module.js';
import { int, money, str, time } from './values.js';

const ENDED = new Set(['Canceled', 'Done']);

/** An appointment's change, or a job canceled with all its visits: the reminders worker re-plans them. */
const remindersReplan: StModuleSpec['followUps'] = (tenantId, eventId, event) => {
  const id = Number(event.subject.id);
  const target = event.subject.type === 'job' ? { jobId: id } : { appointmentId: id };
  return event.type.startsWith('appointment.') || event.type === 'job.canceled'
    ? [{ name: 'reminders.appointment-changed', jobId: `rem-${eventId}`, tenantId, data: { tenantId, eventId, ...target } }]
    : [];
};

function jobEvents(change: RowChange): ChangeEvent[] {
  const becameStatus = (status: string) => change.new.job_status === status && change.old?.job_status !== status;
  const type = becameStatus('Completed') ? ('job.completed' as const) : becameStatus('Canceled') && change.old ? ('job.canceled' as const) : undefined;
  if (!type) return [];
  return [
    {
      type,
      subject: { type: 'job', id: change.id },
      refs: { customerId: change.new.customer_id as number | null, locationId: change.new.location_id as number | null },
      old: change.old ? { jobStatus: change.old.job_status } : null,
      new: { jobStatus: change.new.job_status, completedOn: change.new.completed_on },
    },
  ];
}

function appointmentEvents(change: RowChange): ChangeEvent[] {
  const { old, new: now } = change;
  const base = {
    subject: { type: 'appointment', id: change.id },
    refs: { jobId: now.job_id as number | null, customerId: now.customer_id as number | null },
    old: old ? { status: old.status, start: old.starts_at, end: old.ends_at } : null,
    new: { status: now.status, start: now.starts_at, end: now.ends_at },
  };
  const status = String(now.status);
  if (!old) return ENDED.has(status) ? [] : [{ type: 'appointment.scheduled', ...base }];
  if (status === 'Canceled' && old.status !== 'Canceled') return [{ type: 'appointment.canceled', ...base }];
  // Brought back from canceled: it is on the calendar again.
  if (old.status === 'Canceled' && !ENDED.has(status)) return [{ type: 'appointment.scheduled', ...base }];
  if (old.starts_at !== now.starts_at && !ENDED.has(status)) return [{ type: 'appointment.rescheduled', ...base }];
  // Dispatched, Working, Hold, Done: reminders end, an on-my-way text may go.
  if (old.status !== now.status) return [{ type: 'appointment.status_changed', ...base }];
  return [];
}

export const jobModules: StModuleSpec[] = [
  {
    name: 'jobs',
    apiModule: 'jpm',
    resource: 'jobs',
    table: stJobs,
    columns: (r) => ({
      job_number: str(r.jobNumber),
      customer_id: int(r.customerId),
      location_id: int(r.locationId),
      business_unit_id: int(r.businessUnitId),
      job_type_id: int(r.jobTypeId),
      job_status: str(r.jobStatus),
      completed_on: time(r.completedOn),
      total: money(r.total),
      sold_by_id: int(r.soldById),
    }),
    tracked: ['customer_id', 'location_id', 'job_status', 'completed_on'],
    events: jobEvents,
    followUps: remindersReplan,
  },
  {
    // Appointments live in jpm; the old setup asked dispatch for them and got 404s.
    name: 'appointments',
    apiModule: 'jpm',
    resource: 'appointments',
    table: stAppointments,
    columns: (r) => ({
      job_id: int(r.jobId),
      customer_id: int(r.customerId),
      appointment_number: str(r.appointmentNumber),
      status: str(r.status),
      starts_at: time(r.start),
      ends_at: time(r.end),
      arrival_window_start: time(r.arrivalWindowStart),
      arrival_window_end: time(r.arrivalWindowEnd),
    }),
    tracked: ['job_id', 'customer_id', 'status', 'starts_at', 'ends_at'],
    events: appointmentEvents,
    followUps: remindersReplan,
    // The first pass emits no events: the upcoming visits it brought in still get their reminders.
    afterBackfill: (tenantId, runId) => [{ name: 'reminders.plan-tenant', jobId: `rem-plan-${tenantId}-${runId}`, tenantId, data: { tenantId } }],
  },
  {
    name: 'appointment-assignments',
    apiModule: 'dispatch',
    resource: 'appointment-assignments',
    table: stAppointmentAssignments,
    columns: (r) => ({
      appointment_id: int(r.appointmentId),
      job_id: int(r.jobId),
      technician_id: int(r.technicianId),
      technician_name: str(r.technicianName),
      status: str(r.status),
      assigned_on: time(r.assignedOn),
    }),
    tracked: [],
  },
];
