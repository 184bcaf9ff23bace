import { findStAppointmentSubject, findStEstimateSubject, findStJobSubject, findStRecipient, findTenantName, type Database } from '@fieldhand/db';
import { SUBJECT_TYPES, type SubjectType, type SubjectVars } from '../definition/variables.js';

export type Subject = {
  type: SubjectType;
  id: string;
  /** False when the synced record is not (yet) in PostgreSQL: every condition on it then fails visibly. */
  found: boolean;
  vars: SubjectVars;
  customerId: number | null;
  /** The customer's textable phone (E.164), if any. */
  phone: string | null;
  locationState: string | null;
};

/** A subject type read back from a run row; anything else is a corrupt row, not an appointment. */
export function asSubjectType(type: string): SubjectType {
  if (!(SUBJECT_TYPES as readonly string[]).includes(type)) throw new Error(`unknown workflow subject type ${type}`);
  return type as SubjectType;
}

type SubjectRecord = { found: boolean; vars: SubjectVars; customerId: number | null; locationId: number | null };

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const time = (v: Date | null): string | null => v?.toISOString() ?? null;

/** The customer's name, first mobile-ish phone that may be texted, and service state. */
async function customerVars(db: Database, tenantId: string, customerId: number | null, locationId: number | null): Promise<SubjectVars> {
  if (customerId === null) return { customerId: null, customerName: null, firstName: null, phone: null, locationState: null };
  const recipient = await findStRecipient(db, tenantId, customerId, locationId);
  return {
    customerId,
    customerName: recipient.name,
    firstName: recipient.name ? (recipient.name.trim().split(/\s+/)[0] ?? null) : null,
    phone: recipient.phone,
    locationState: recipient.locationState,
  };
}

async function recordVars(db: Database, tenantId: string, type: SubjectType, id: string): Promise<SubjectRecord> {
  const none: SubjectRecord = { found: false, vars: {}, customerId: null, locationId: null };
  if (type === 'phone') return { found: true, vars: { phone: id }, customerId: null, locationId: null };
  const numericId = Number(id);
  if (!Number.isSafeInteger(numericId)) return none;
  switch (type) {
    case 'estimate': {
      const r = await findStEstimateSubject(db, tenantId, numericId);
      if (!r) return none;
      return {
        found: true,
        customerId: r.customerId,
        locationId: r.locationId,
        vars: {
          estimateId: numericId,
          estimateName: r.name,
          estimateStatus: r.status,
          estimateSubtotal: num(r.subtotal),
          estimateTotal: num(r.total),
          estimateCreatedOn: time(r.createdOn),
          jobId: r.jobId,
        },
      };
    }
    case 'job': {
      const r = await findStJobSubject(db, tenantId, numericId);
      if (!r) return none;
      return {
        found: true,
        customerId: r.customerId,
        locationId: r.locationId,
        vars: { jobId: numericId, jobNumber: r.jobNumber, jobStatus: r.jobStatus, jobTotal: num(r.total), jobCompletedOn: time(r.completedOn) },
      };
    }
    case 'appointment': {
      const r = await findStAppointmentSubject(db, tenantId, numericId);
      if (!r) return none;
      return {
        found: true,
        customerId: r.customerId,
        locationId: r.locationId,
        vars: {
          appointmentId: numericId,
          appointmentNumber: r.appointmentNumber,
          appointmentStatus: r.status,
          appointmentStart: time(r.startsAt),
          appointmentEnd: time(r.endsAt),
          jobId: r.jobId,
        },
      };
    }
    default: {
      const unknown: never = type;
      throw new Error(`unknown workflow subject type ${String(unknown)}`);
    }
  }
}

/** Reads a run's subject from the synced tables as it is now: PostgreSQL is the truth, not the event. */
export async function loadSubject(db: Database, tenantId: string, type: SubjectType, id: string): Promise<Subject> {
  const record = await recordVars(db, tenantId, type, id);
  const companyName = await findTenantName(db, tenantId);
  const customer = type === 'phone' ? {} : await customerVars(db, tenantId, record.customerId, record.locationId);
  const vars: SubjectVars = { ...customer, ...record.vars, companyName: companyName ?? null };
  return {
    type,
    id,
    found: record.found,
    vars,
    customerId: record.customerId,
    phone: typeof vars.phone === 'string' ? vars.phone : null,
    locationState: typeof vars.locationState === 'string' ? vars.locationState : null,
  };
}
