import { idOf, iso, type GeneratorContext, type StRecord } from './context.js';
import { jobFacts, lastChange, type JobFacts } from './job-facts.js';
import { technicianName } from './settings-records.js';

function appointmentStatus(facts: JobFacts): string {
  if (facts.jobStatus === 'Completed') return 'Done';
  if (facts.jobStatus === 'Canceled') return 'Canceled';
  return 'Scheduled';
}

export function jobRecord(ctx: GeneratorContext, index: number): StRecord {
  const facts = jobFacts(ctx, index);
  const completedMs = facts.jobStatus === 'Completed' ? facts.endMs : null;
  const appointmentId = idOf('appointments', index);
  return {
    summary: 'Customer reports the system is not cooling properly.',
    customFields: [],
    externalData: [],
    id: idOf('jobs', index),
    jobNumber: String(idOf('jobs', index)),
    projectId: null,
    customerId: idOf('customers', index),
    locationId: idOf('locations', index),
    jobStatus: facts.jobStatus,
    completedOn: completedMs === null ? null : iso(completedMs),
    businessUnitId: idOf('businessUnits', facts.businessUnitIndex),
    jobTypeId: 1 + facts.businessUnitIndex,
    priority: 'Normal',
    campaignId: 1,
    appointmentCount: 1,
    firstAppointmentId: appointmentId,
    lastAppointmentId: appointmentId,
    recallForId: null,
    warrantyId: null,
    jobGeneratedLeadSource: { jobId: null, employeeId: null },
    noCharge: false,
    notificationsEnabled: true,
    createdOn: iso(facts.createdMs),
    createdById: 1,
    modifiedOn: iso(lastChange(ctx, facts.createdMs, completedMs, facts.soldMs)),
    tagTypeIds: [],
    leadCallId: null,
    partnerLeadCallId: null,
    bookingId: null,
    soldById: facts.soldMs === null ? null : idOf('technicians', facts.technicianIndex),
    customerPo: '',
    invoiceId: idOf('invoices', index),
    membershipId: null,
    total: facts.invoiceSubtotal,
    createdFromEstimateId: null,
    estimateIds: [idOf('estimates', index)],
    active: true,
  };
}

export function appointmentRecord(ctx: GeneratorContext, index: number): StRecord {
  const facts = jobFacts(ctx, index);
  return {
    id: idOf('appointments', index),
    jobId: idOf('jobs', index),
    appointmentNumber: `${idOf('jobs', index)}-1`,
    start: iso(facts.startMs),
    end: iso(facts.endMs),
    arrivalWindowStart: iso(facts.arrivalWindowStartMs),
    arrivalWindowEnd: iso(facts.arrivalWindowEndMs),
    status: appointmentStatus(facts),
    specialInstructions: null,
    createdOn: iso(facts.createdMs),
    modifiedOn: iso(lastChange(ctx, facts.createdMs, facts.jobStatus === 'Scheduled' ? null : facts.endMs)),
    customerId: idOf('customers', index),
    unused: false,
    createdById: 1,
    isConfirmed: facts.jobStatus !== 'Scheduled',
    active: true,
  };
}

export function appointmentAssignmentRecord(ctx: GeneratorContext, index: number): StRecord {
  const facts = jobFacts(ctx, index);
  const status = facts.jobStatus === 'Completed' ? 'Done' : 'Scheduled';
  return {
    id: idOf('appointmentAssignments', index),
    technicianId: idOf('technicians', facts.technicianIndex),
    technicianName: technicianName(ctx, facts.technicianIndex),
    assignedById: 1,
    assignedOn: iso(facts.createdMs),
    status,
    isPaused: false,
    jobId: idOf('jobs', index),
    appointmentId: idOf('appointments', index),
    createdOn: iso(facts.createdMs),
    modifiedOn: iso(lastChange(ctx, facts.createdMs, facts.jobStatus === 'Completed' ? facts.endMs : null)),
    // An assignment on a canceled visit is removed, which the export reports as inactive.
    active: facts.jobStatus !== 'Canceled',
  };
}
