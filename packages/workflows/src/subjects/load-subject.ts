import { sql } from 'drizzle-orm';
import type { Database } from '@fieldhand/db';
import type { SubjectType, SubjectVars } from '../definition/variables.js';

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

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const time = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : str(v));

async function one(db: Database, query: ReturnType<typeof sql>): Promise<Row | undefined> {
  const { rows } = await db.execute<Row>(query);
  return rows[0];
}

/** The customer's name, first mobile-ish phone that may be texted, and service state. */
async function customerVars(db: Database, tenantId: string, customerId: number | null, locationId: number | null): Promise<SubjectVars> {
  if (customerId === null) return { customerId: null, customerName: null, firstName: null, phone: null, locationState: null };
  const customer = await one(db, sql`select name from st_customers where tenant_id = ${tenantId} and id = ${customerId}`);
  // Mobile numbers first: a landline cannot receive the text.
  const contact = await one(
    db,
    sql`select phone from st_customer_contacts
        where tenant_id = ${tenantId} and customer_id = ${customerId} and phone is not null and not do_not_text and active
        order by (type = 'MobilePhone') desc, id limit 1`,
  );
  const location = locationId === null ? undefined : await one(db, sql`select state from st_locations where tenant_id = ${tenantId} and id = ${locationId}`);
  const name = str(customer?.name);
  return {
    customerId,
    customerName: name,
    firstName: name ? (name.trim().split(/\s+/)[0] ?? null) : null,
    phone: str(contact?.phone),
    locationState: str(location?.state),
  };
}

async function recordVars(db: Database, tenantId: string, type: SubjectType, id: string): Promise<{ found: boolean; vars: SubjectVars; customerId: number | null; locationId: number | null }> {
  const none = { found: false, vars: {}, customerId: null, locationId: null };
  if (type === 'phone') return { found: true, vars: { phone: id }, customerId: null, locationId: null };
  const numericId = Number(id);
  if (!Number.isSafeInteger(numericId)) return none;
  if (type === 'estimate') {
    const r = await one(db, sql`select * from st_estimates where tenant_id = ${tenantId} and id = ${numericId}`);
    if (!r) return none;
    return {
      found: true,
      customerId: num(r.customer_id),
      locationId: num(r.location_id),
      vars: {
        estimateId: numericId,
        estimateName: str(r.name),
        estimateStatus: str(r.status),
        estimateSubtotal: num(r.subtotal),
        estimateTotal: num(r.total),
        estimateCreatedOn: time(r.created_on),
        jobId: num(r.job_id),
      },
    };
  }
  if (type === 'job') {
    const r = await one(db, sql`select * from st_jobs where tenant_id = ${tenantId} and id = ${numericId}`);
    if (!r) return none;
    return {
      found: true,
      customerId: num(r.customer_id),
      locationId: num(r.location_id),
      vars: { jobId: numericId, jobNumber: str(r.job_number), jobStatus: str(r.job_status), jobTotal: num(r.total), jobCompletedOn: time(r.completed_on) },
    };
  }
  const r = await one(db, sql`select a.*, j.location_id from st_appointments a left join st_jobs j on j.tenant_id = a.tenant_id and j.id = a.job_id where a.tenant_id = ${tenantId} and a.id = ${numericId}`);
  if (!r) return none;
  return {
    found: true,
    customerId: num(r.customer_id),
    locationId: num(r.location_id),
    vars: {
      appointmentId: numericId,
      appointmentNumber: str(r.appointment_number),
      appointmentStatus: str(r.status),
      appointmentStart: time(r.starts_at),
      appointmentEnd: time(r.ends_at),
      jobId: num(r.job_id),
    },
  };
}

/** Reads a run's subject from the synced tables as it is now: PostgreSQL is the truth, not the event. */
export async function loadSubject(db: Database, tenantId: string, type: SubjectType, id: string): Promise<Subject> {
  const record = await recordVars(db, tenantId, type, id);
  const tenant = await one(db, sql`select name from tenants where id = ${tenantId}`);
  const customer = type === 'phone' ? {} : await customerVars(db, tenantId, record.customerId, record.locationId);
  const vars: SubjectVars = { ...customer, ...record.vars, companyName: str(tenant?.name) };
  return {
    type,
    id,
    found: record.found,
    vars,
    customerId: record.customerId,
    phone: str(vars.phone),
    locationState: str(vars.locationState),
  };
}
