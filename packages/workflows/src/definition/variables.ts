/**
 * What a definition may refer to. Conditions, templates and "wait until" all read
 * the same flat variables of a run's subject, so a name checked on save is the
 * name filled in at run time. Names are identifiers because SMS templates only
 * accept `{{identifier}}` placeholders.
 */
export type VariableKind = 'string' | 'number' | 'time';

export const SUBJECT_TYPES = ['estimate', 'job', 'appointment', 'phone'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

const CUSTOMER: Record<string, VariableKind> = {
  customerId: 'number',
  customerName: 'string',
  firstName: 'string',
  phone: 'string',
  locationState: 'string',
  companyName: 'string',
};

export const SUBJECT_VARIABLES: Record<SubjectType, Record<string, VariableKind>> = {
  estimate: {
    ...CUSTOMER,
    estimateId: 'number',
    estimateName: 'string',
    estimateStatus: 'string',
    estimateSubtotal: 'number',
    estimateTotal: 'number',
    estimateCreatedOn: 'time',
    jobId: 'number',
  },
  job: { ...CUSTOMER, jobId: 'number', jobNumber: 'string', jobStatus: 'string', jobTotal: 'number', jobCompletedOn: 'time' },
  appointment: {
    ...CUSTOMER,
    appointmentId: 'number',
    appointmentNumber: 'string',
    appointmentStatus: 'string',
    appointmentStart: 'time',
    appointmentEnd: 'time',
    jobId: 'number',
  },
  phone: { phone: 'string', companyName: 'string' },
};

/** The subject an event is about; every event the engine hears maps to one. */
export const EVENT_SUBJECTS: Record<string, SubjectType> = {
  'estimate.created': 'estimate',
  'estimate.status_changed': 'estimate',
  'appointment.scheduled': 'appointment',
  'appointment.rescheduled': 'appointment',
  'appointment.canceled': 'appointment',
  'appointment.status_changed': 'appointment',
  // From the reminders worker: the customer answered a reminder.
  'appointment.confirmed': 'appointment',
  'appointment.reschedule_requested': 'appointment',
  'job.completed': 'job',
  'job.canceled': 'job',
  'sms.replied': 'phone',
  'sms.opted_out': 'phone',
  'sms.opted_in': 'phone',
};

export const TRIGGER_EVENTS = Object.keys(EVENT_SUBJECTS) as [string, ...string[]];

export type SubjectVars = Record<string, string | number | null>;
