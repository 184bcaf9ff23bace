import { HOUR_MS, idOf, iso, type StRecord } from './generate/context.js';
import { buildEstimate, estimateStatus, type EstimateLine } from './generate/sales-records.js';
import { jobFacts } from './generate/job-facts.js';
import { technicianName } from './generate/settings-records.js';
import type { StWorld } from './st-world.js';

/** Changes a user of ServiceTitan makes, each bumping modifiedOn and the change log. */

export class NotFoundError extends Error {}
export class ConflictError extends Error {}

function requireIndex(world: StWorld, resource: Parameters<StWorld['indexOf']>[0], id: number): number {
  const index = world.indexOf(resource, id);
  if (index === undefined) throw new NotFoundError(`${resource} ${id} does not exist`);
  return index;
}

function statusName(record: StRecord): unknown {
  return (record['status'] as { name?: unknown } | undefined)?.name;
}

export function sellEstimate(world: StWorld, estimateId: number, soldBy: number | null, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'estimates', estimateId);
  if (statusName(world.get('estimates', index)) === 'Sold') throw new ConflictError(`estimate ${estimateId} is already sold`);
  return world.update('estimates', index, (record) => {
    record['status'] = estimateStatus('Sold');
    record['soldOn'] = iso(nowMs);
    record['soldBy'] = soldBy;
  }, nowMs);
}

export function dismissEstimate(world: StWorld, estimateId: number, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'estimates', estimateId);
  if (statusName(world.get('estimates', index)) === 'Sold') throw new ConflictError(`estimate ${estimateId} is sold and cannot be dismissed`);
  return world.update('estimates', index, (record) => {
    record['status'] = estimateStatus('Dismissed');
  }, nowMs);
}

export function createEstimate(world: StWorld, jobId: number, name: string, lines: readonly EstimateLine[], nowMs = Date.now()): StRecord {
  const jobIndex = requireIndex(world, 'jobs', jobId);
  const facts = jobFacts(world.ctx, jobIndex);
  const estimate = world.append('estimates', (index) =>
    buildEstimate({ id: idOf('estimates', index), jobIndex, name, status: 'Open', lines, createdMs: nowMs, modifiedMs: nowMs, soldMs: null, soldBy: null, businessUnitIndex: facts.businessUnitIndex }),
  nowMs);
  world.update('jobs', jobIndex, (job) => {
    job['estimateIds'] = [...(job['estimateIds'] as number[]), estimate.id];
  }, nowMs);
  return estimate;
}

export interface NewAppointment {
  start: number;
  durationMinutes: number;
}

/**
 * Books one more visit on a job, assigned to the job's technician, as a dispatcher
 * would: the appointment and its assignment are appended together, so assignment i
 * still belongs to appointment i.
 */
export function createAppointment(world: StWorld, jobId: number, visit: NewAppointment, nowMs = Date.now()): StRecord {
  const jobIndex = requireIndex(world, 'jobs', jobId);
  const job = world.get('jobs', jobIndex);
  const technicianIndex = jobFacts(world.ctx, jobIndex).technicianIndex;
  const end = visit.start + visit.durationMinutes * 60_000;
  const appointment = world.append('appointments', (index) => ({
    id: idOf('appointments', index),
    jobId,
    appointmentNumber: `${jobId}-${Number(job['appointmentCount']) + 1}`,
    start: iso(visit.start),
    end: iso(end),
    arrivalWindowStart: iso(visit.start),
    arrivalWindowEnd: iso(end),
    status: 'Scheduled',
    specialInstructions: null,
    createdOn: iso(nowMs),
    modifiedOn: iso(nowMs),
    customerId: job['customerId'],
    unused: false,
    createdById: 1,
    isConfirmed: false,
    active: true,
  }), nowMs);
  world.append('appointmentAssignments', (index) => ({
    id: idOf('appointmentAssignments', index),
    technicianId: idOf('technicians', technicianIndex),
    technicianName: technicianName(world.ctx, technicianIndex),
    assignedById: 1,
    assignedOn: iso(nowMs),
    status: 'Scheduled',
    isPaused: false,
    jobId,
    appointmentId: appointment.id,
    createdOn: iso(nowMs),
    modifiedOn: iso(nowMs),
    active: true,
  }), nowMs);
  world.update('jobs', jobIndex, (record) => {
    record['appointmentCount'] = Number(record['appointmentCount']) + 1;
    record['lastAppointmentId'] = appointment.id;
    if (record['jobStatus'] !== 'Scheduled') {
      record['jobStatus'] = 'Scheduled';
      record['completedOn'] = null;
    }
  }, nowMs);
  return appointment;
}

export interface Reschedule {
  start: number;
  end?: number | undefined;
  arrivalWindowStart?: number | undefined;
  arrivalWindowEnd?: number | undefined;
}

export function rescheduleAppointment(world: StWorld, appointmentId: number, when: Reschedule, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'appointments', appointmentId);
  return world.update('appointments', index, (record) => {
    record['start'] = iso(when.start);
    record['end'] = iso(when.end ?? when.start + 2 * HOUR_MS);
    record['arrivalWindowStart'] = iso(when.arrivalWindowStart ?? when.start);
    record['arrivalWindowEnd'] = iso(when.arrivalWindowEnd ?? when.start + 2 * HOUR_MS);
    record['status'] = 'Scheduled';
  }, nowMs);
}

export function cancelAppointment(world: StWorld, appointmentId: number, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'appointments', appointmentId);
  const appointment = world.update('appointments', index, (record) => {
    record['status'] = 'Canceled';
  }, nowMs);
  // Assignment i belongs to appointment i; canceling removes the technician from it.
  world.update('appointmentAssignments', index, (record) => {
    record['active'] = false;
  }, nowMs);
  return appointment;
}

/** A dispatcher sends the technician: the visit is under way, reminders for it are over. */
export function dispatchAppointment(world: StWorld, appointmentId: number, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'appointments', appointmentId);
  const status = world.get('appointments', index)['status'];
  if (status === 'Canceled' || status === 'Done') throw new ConflictError(`appointment ${appointmentId} is ${String(status)}`);
  world.update('appointmentAssignments', index, (record) => {
    record['status'] = 'Dispatched';
  }, nowMs);
  return world.update('appointments', index, (record) => {
    record['status'] = 'Dispatched';
  }, nowMs);
}

/**
 * The customer's confirmation, as jpm's `PUT …/appointments/{id}/confirmation` records
 * it. Every call is kept in the world's write log, so a test can count them.
 */
export function setAppointmentConfirmation(world: StWorld, appointmentId: number, confirmed: boolean, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'appointments', appointmentId);
  const current = world.get('appointments', index)['isConfirmed'] === true;
  world.confirmationCalls.push({ appointmentId, method: confirmed ? 'PUT' : 'DELETE', atMs: nowMs, outcome: current === confirmed ? 'conflict' : 'changed' });
  if (confirmed && current) throw new ConflictError(`Appointment ${appointmentId} is already confirmed`);
  return world.update('appointments', index, (record) => {
    record['isConfirmed'] = confirmed;
  }, nowMs);
}

/** The whole job called off: its visit is canceled with it. */
export function cancelJob(world: StWorld, jobId: number, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'jobs', jobId);
  if (world.get('jobs', index)['jobStatus'] === 'Canceled') throw new ConflictError(`job ${jobId} is already canceled`);
  const job = world.update('jobs', index, (record) => {
    record['jobStatus'] = 'Canceled';
  }, nowMs);
  // Its first visit shares the job's index; a later one is the job's last appointment.
  const visits = new Set([idOf('appointments', index), Number(job['lastAppointmentId'])]);
  for (const appointmentId of visits) {
    const visit = world.findById('appointments', appointmentId);
    if (visit && visit['jobId'] === jobId && visit['status'] !== 'Done' && visit['status'] !== 'Canceled') cancelAppointment(world, appointmentId, nowMs);
  }
  return job;
}

export function completeJob(world: StWorld, jobId: number, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, 'jobs', jobId);
  const job = world.update('jobs', index, (record) => {
    record['jobStatus'] = 'Completed';
    record['completedOn'] = iso(nowMs);
  }, nowMs);
  world.update('appointments', index, (record) => {
    record['status'] = 'Done';
  }, nowMs);
  world.update('appointmentAssignments', index, (record) => {
    record['status'] = 'Done';
  }, nowMs);
  return job;
}

export interface ContactChange {
  value?: string | undefined;
  doNotText?: boolean | undefined;
}

/** ServiceTitan stores US numbers as 10 digits; accept E.164 and normalise. */
function stPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

export function changeContact(world: StWorld, resource: 'customerContacts' | 'locationContacts', contactId: number, change: ContactChange, nowMs = Date.now()): StRecord {
  const index = requireIndex(world, resource, contactId);
  return world.update(resource, index, (record) => {
    const isPhone = record['type'] !== 'Email';
    const settings = { ...(record['phoneSettings'] as { phoneNumber: string; doNotText: boolean }) };
    if (change.value !== undefined) {
      record['value'] = isPhone ? stPhone(change.value) : change.value;
      if (isPhone) settings.phoneNumber = record['value'] as string;
    }
    if (change.doNotText !== undefined) settings.doNotText = change.doNotText;
    record['phoneSettings'] = settings;
  }, nowMs);
}
