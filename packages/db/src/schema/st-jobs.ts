import { index, integer, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { stColumns, stId, stTime } from './st-columns.js';

export const stJobs = pgTable(
  'st_jobs',
  {
    ...stColumns(),
    jobNumber: text('job_number'),
    customerId: stId('customer_id'),
    locationId: stId('location_id'),
    businessUnitId: stId('business_unit_id'),
    jobTypeId: stId('job_type_id'),
    jobStatus: text('job_status'),
    completedOn: stTime('completed_on'),
    total: numeric('total', { precision: 14, scale: 2 }),
    soldById: stId('sold_by_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('st_jobs_customer_idx').on(t.tenantId, t.customerId),
    index('st_jobs_location_idx').on(t.tenantId, t.locationId),
  ],
);

export const stAppointments = pgTable(
  'st_appointments',
  {
    ...stColumns(),
    jobId: stId('job_id'),
    customerId: stId('customer_id'),
    appointmentNumber: text('appointment_number'),
    status: text('status'),
    startsAt: stTime('starts_at'),
    endsAt: stTime('ends_at'),
    arrivalWindowStart: stTime('arrival_window_start'),
    arrivalWindowEnd: stTime('arrival_window_end'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('st_appointments_job_idx').on(t.tenantId, t.jobId),
    index('st_appointments_starts_idx').on(t.tenantId, t.startsAt),
  ],
);

// Which technician is on which appointment (ServiceTitan's dispatch module).
export const stAppointmentAssignments = pgTable(
  'st_appointment_assignments',
  {
    ...stColumns(),
    appointmentId: stId('appointment_id'),
    jobId: stId('job_id'),
    technicianId: stId('technician_id'),
    technicianName: text('technician_name'),
    status: text('status'),
    assignedOn: stTime('assigned_on'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('st_appointment_assignments_appointment_idx').on(t.tenantId, t.appointmentId),
    index('st_appointment_assignments_technician_idx').on(t.tenantId, t.technicianId),
  ],
);

export const stEstimates = pgTable(
  'st_estimates',
  {
    ...stColumns(),
    jobId: stId('job_id'),
    customerId: stId('customer_id'),
    locationId: stId('location_id'),
    businessUnitId: stId('business_unit_id'),
    name: text('name'),
    // ServiceTitan's status is an object {value, name}; the name (Open, Sold, Dismissed) is what the product uses.
    status: text('status'),
    statusValue: integer('status_value'),
    subtotal: numeric('subtotal', { precision: 14, scale: 2 }),
    tax: numeric('tax', { precision: 14, scale: 2 }),
    // ServiceTitan has no total on an estimate; subtotal + tax.
    total: numeric('total', { precision: 14, scale: 2 }),
    soldOn: stTime('sold_on'),
    soldBy: stId('sold_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('st_estimates_job_idx').on(t.tenantId, t.jobId),
    index('st_estimates_status_idx').on(t.tenantId, t.status),
  ],
);
